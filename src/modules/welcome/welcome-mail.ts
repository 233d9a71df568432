import { sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import { queryRows, type Transaction } from '../../db/database.ts';
import type { MailQueue } from '../mail/mail-queue.ts';
import { createLinkIssuer } from '../provisioning/issue-link.ts';
import type { ProvisioningLinkMode } from '../provisioning/provisioning-links.table.ts';
import type { AccountWentLive } from '../sip-accounts/account-live.port.ts';
import { createSipAccountsRepository } from '../sip-accounts/sip-accounts.repository.ts';
import { createUsersRepository } from '../users/users.repository.ts';
import { welcomeMails } from './welcome-mails.table.ts';

/**
 * The welcome mail, queued in the transaction in which the extension first goes live: a provisioning link
 * made for it (WELCOME_LINK_TTL), shown as a button and an inline QR code, with the steps on the phone.
 * Never the SIP secret: the link is the one capability it carries, single-use as every provisioning link.
 */
export function createWelcomeMail({ mail, provisioning, linkTtlSeconds, logger: parent }: {
  mail: Pick<MailQueue, 'enqueue' | 'kick'>;
  /** The provisioning link settings: the welcome link is made like any other, per-account cap included. */
  provisioning: { publicBaseUrl: string; linkMode: ProvisioningLinkMode; linksPerAccount: number };
  linkTtlSeconds: number;
  logger: Logger;
}): AccountWentLive {
  const logger = parent.child({ component: 'welcome-mail' });
  const links = createLinkIssuer({ publicBaseUrl: provisioning.publicBaseUrl, mode: provisioning.linkMode, linksPerAccount: provisioning.linksPerAccount });
  async function queue(tx: Transaction, sipAccountId: string): Promise<string | undefined> {
    // Claimed first, so a second create job of the same account (a re-provision) finds it taken and stops.
    const claimed = await queryRows<{ id: string }>(tx, sql`
      insert into ${welcomeMails} (sip_account_id) values (${sipAccountId})
      on conflict (sip_account_id) do nothing returning sip_account_id as id`);
    if (claimed.length === 0) return undefined;
    const account = await createSipAccountsRepository({ db: tx }).findById(sipAccountId);
    const user = account && (await createUsersRepository({ db: tx }).findById(account.userId));
    if (!account || !user) return undefined;
    const link = await links.issue(tx, account, linkTtlSeconds);
    const mailId = await mail.enqueue(tx, {
      to: user.email,
      template: 'welcome',
      locale: user.locale,
      params: { url: link.url, validForMinutes: Math.ceil(linkTtlSeconds / 60), extension: account.extension, ...(user.displayName ? { displayName: user.displayName } : {}) },
    });
    await tx.execute(sql`update ${welcomeMails} set mail_id = ${mailId} where sip_account_id = ${sipAccountId}`);
    return mailId;
  }

  return {
    async accountWentLive(tx, sipAccountId) {
      try {
        // In a savepoint: a welcome that cannot be queued must never keep the account from going live.
        const mailId = await tx.transaction((savepoint) => queue(savepoint, sipAccountId));
        if (mailId) logger.info({ sipAccountId, mailId }, 'Welcome mail queued');
      } catch (error) {
        logger.warn({ err: error, sipAccountId }, 'Welcome mail not queued; the account goes live without it');
      }
    },
    committed: () => mail.kick(),
  };
}
