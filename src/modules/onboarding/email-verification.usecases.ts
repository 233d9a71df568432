import { eq, sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Database, Transaction } from '../../db/database.ts';
import type { OffRequestPath } from '../../shared/off-request-path.ts';
import { invalidEmailToken } from '../email-tokens/email-tokens.errors.ts';
import { createEmailTokensRepository } from '../email-tokens/email-tokens.repository.ts';
import type { Mail } from '../mail/create-mail.ts';
import type { SipAccountUseCases } from '../sip-accounts/sip-accounts.usecases.ts';
import { createUsersRepository } from '../users/users.repository.ts';
import { users, type UserRow } from '../users/users.table.ts';

/** A second verification mail within this time of the last one is not sent: one address, one mail a minute. */
export const RESEND_COOLDOWN_SECONDS = 60;

/**
 * Email verification: the mail sent at sign-up (and on request), and the single-use token of its link that,
 * once used, marks the email verified and, with EMAIL_VERIFICATION=required, sends the held extension to the PBX.
 */
export function createEmailVerification({ db, mail, sipAccounts, kickProvisioning, publicBaseUrl, tokenTtlSeconds, offRequestPath, logger, resendCooldownSeconds = RESEND_COOLDOWN_SECONDS }: {
  db: Database;
  mail: Pick<Mail, 'enqueue' | 'kick'>;
  sipAccounts: Pick<SipAccountUseCases, 'activateAfterVerification'>;
  kickProvisioning: () => void;
  publicBaseUrl: string;
  tokenTtlSeconds: number;
  offRequestPath: Pick<OffRequestPath, 'run'>;
  logger: Logger;
  resendCooldownSeconds?: number;
}) {
  const tokens = createEmailTokensRepository({ db });

  /** Issues a token and queues its mail inside `tx`: both commit with the caller's change, or neither. */
  async function sendVerification(tx: Transaction, user: Pick<UserRow, 'id' | 'email' | 'displayName' | 'locale'>): Promise<void> {
    const token = await createEmailTokensRepository({ db: tx }).issue({ userId: user.id, purpose: 'verify_email', ttlSeconds: tokenTtlSeconds });
    await mail.enqueue(tx, {
      to: user.email,
      template: 'verify-email',
      locale: user.locale,
      params: {
        url: `${publicBaseUrl}/auth/verify-email?token=${token}`,
        validForMinutes: Math.max(1, Math.round(tokenTtlSeconds / 60)),
        ...(user.displayName ? { displayName: user.displayName } : {}),
      },
    });
  }

  return {
    sendVerification,

    /** Who a still-usable link is for, without using it: the page it opens greets them in their language. */
    async describeToken(token: string): Promise<Pick<UserRow, 'email' | 'locale'> | undefined> {
      const found = await tokens.findUsable('verify_email', token);
      return found && createUsersRepository({ db }).findById(found.userId);
    },

    /** Uses the token: the email is verified, and a held account goes to the PBX. 400 for any bad token. */
    async verify(token: string): Promise<Pick<UserRow, 'locale'>> {
      const result = await db.transaction(async (tx) => {
        const found = await createEmailTokensRepository({ db: tx }).consume('verify_email', token);
        if (!found) return undefined;
        const [user] = await tx
          .update(users)
          .set({ emailVerifiedAt: sql`coalesce(${users.emailVerifiedAt}, now())` })
          .where(eq(users.id, found.userId))
          .returning({ id: users.id, locale: users.locale });
        return user && { user, queued: await sipAccounts.activateAfterVerification(tx, user.id) };
      });
      if (!result) throw invalidEmailToken();
      if (result.queued) kickProvisioning();
      logger.info({ userId: result.user.id, provisioning: result.queued }, 'Email verified');
      return result.user;
    },

    /**
     * A new verification mail for an unverified account; the same for any email, known or not: the caller
     * answers at once and the look-up happens off the request path.
     */
    resend(email: string): void {
      offRequestPath.run('resend-verification', async () => {
        const user = await createUsersRepository({ db }).findByEmail(email.trim());
        if (!user || user.emailVerifiedAt || !user.isActive) return;
        if (await tokens.issuedWithin(user.id, 'verify_email', resendCooldownSeconds)) return;
        await db.transaction((tx) => sendVerification(tx, user));
        mail.kick();
      });
    },
  };
}

export type EmailVerification = ReturnType<typeof createEmailVerification>;
