import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Transaction } from '../../db/database.ts';
import { encryptSecret, generateSipSecret } from '../../shared/crypto.ts';
import type { ProvisioningQueue } from './provisioning-queue.port.ts';
import { createSipAccountsRepository } from './sip-accounts.repository.ts';
import { sipAccounts, type SipAccountStatus } from './sip-accounts.table.ts';

/** What an admin change did to the account: `queued` a job, found it `unchanged` (already so), or `not_possible` in its state. */
export type AdminAccountChange = { outcome: 'queued' | 'unchanged' | 'not_possible'; status: SipAccountStatus | null; extension: string | null };

/**
 * An admin's changes to a user's SIP account, each inside the caller's transaction (with the user's own
 * change and the audit entry); kick the worker after the commit.
 * - disable: the account turns `disabled` (credentials and links refused from the commit on) and a delete job
 *   takes the extension off the PBX (FreePBX delete + Apply Config; Kamailio subscriber and location rows).
 *   Unlike a deletion, nothing is erased when it is done: the row, and so the number, stay the user's.
 * - enable: a disabled account gets a **new** secret (the old one was handed out to a person cut off since)
 *   and a create job; it is `pending` until live. Old provisioning links die with the secret version.
 * - reprovision: push again: an update for a live account (its secret unchanged), a create for one pending
 *   or failed.
 */
export function createAccountAdministration({ encryptionKey, queue }: { encryptionKey: Buffer; queue: Pick<ProvisioningQueue, 'enqueue'> }) {
  const none: AdminAccountChange = { outcome: 'unchanged', status: null, extension: null };

  return {
    async disable(tx: Transaction, userId: string): Promise<AdminAccountChange> {
      const account = await createSipAccountsRepository({ db: tx }).findByUserId(userId);
      if (!account) return none;
      const { status, extension } = account;
      // Nothing on the PBX yet (awaiting verification) or already off it: the user's deactivation is enough.
      if (status === 'awaiting_verification' || status === 'disabled' || status === 'deleting') return { outcome: 'unchanged', status, extension };
      await createSipAccountsRepository({ db: tx }).setStatus(account.id, 'disabled');
      await queue.enqueue(tx, { sipAccountId: account.id, extension, kind: 'delete' });
      return { outcome: 'queued', status: 'disabled', extension };
    },

    async enable(tx: Transaction, userId: string): Promise<AdminAccountChange> {
      const [account] = await tx
        .update(sipAccounts)
        .set({
          secretCiphertext: encryptSecret(encryptionKey, generateSipSecret()),
          nextSecretCiphertext: null,
          secretVersion: sql`${sipAccounts.secretVersion} + 1`,
          status: 'pending',
          lastError: null,
          // A phone registered with the old secret says nothing of the new one (as after a rotation).
          registeredAt: null,
          registeredUserAgent: null,
          updatedAt: sql`now()`,
        })
        .where(and(eq(sipAccounts.userId, userId), eq(sipAccounts.status, 'disabled')))
        .returning();
      if (!account) {
        const current = await createSipAccountsRepository({ db: tx }).findByUserId(userId);
        return current ? { outcome: 'unchanged', status: current.status, extension: current.extension } : none;
      }
      await queue.enqueue(tx, { sipAccountId: account.id, extension: account.extension, kind: 'create', secretVersion: account.secretVersion });
      return { outcome: 'queued', status: 'pending', extension: account.extension };
    },

    async reprovision(tx: Transaction, userId: string): Promise<AdminAccountChange> {
      const account = await createSipAccountsRepository({ db: tx }).findByUserId(userId);
      if (!account) return { ...none, outcome: 'not_possible' };
      const { id, status, extension } = account;
      if (status === 'active') {
        // The secret of the version it stands at, so a rotation under way is pushed and promoted as usual.
        const secretVersion = account.secretVersion + (account.nextSecretCiphertext ? 1 : 0);
        await queue.enqueue(tx, { sipAccountId: id, extension, kind: 'update', secretVersion });
        return { outcome: 'queued', status, extension };
      }
      const [retried] = await tx
        .update(sipAccounts)
        .set({ status: 'pending', updatedAt: sql`now()` })
        .where(and(eq(sipAccounts.id, id), inArray(sipAccounts.status, ['pending', 'failed'])))
        .returning({ secretVersion: sipAccounts.secretVersion });
      if (!retried) return { outcome: 'not_possible', status, extension };
      await queue.enqueue(tx, { sipAccountId: id, extension, kind: 'create', secretVersion: retried.secretVersion });
      return { outcome: 'queued', status: 'pending', extension };
    },
  };
}

export type AccountAdministration = ReturnType<typeof createAccountAdministration>;
