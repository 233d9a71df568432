import { eq, sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Database, Transaction } from '../../db/database.ts';
import type { OffRequestPath } from '../../shared/off-request-path.ts';
import type { PasswordHasher } from '../auth/password-hasher.ts';
import { assertPasswordAcceptable } from '../auth/password-policy.ts';
import { invalidEmailToken } from '../email-tokens/email-tokens.errors.ts';
import { createEmailTokensRepository } from '../email-tokens/email-tokens.repository.ts';
import type { Mail } from '../mail/create-mail.ts';
import { createUsersRepository } from '../users/users.repository.ts';
import { users, type UserRow } from '../users/users.table.ts';
import type { SessionsEnding } from './sessions.port.ts';

/** A second reset mail within this time of the last one is not sent: a stranger cannot flood someone's inbox. */
export const RESET_COOLDOWN_SECONDS = 60;

/**
 * "Forgot my password": a mailed single-use link (PASSWORD_RESET_TTL) whose form sets a new password under
 * the usual policy; every session of the user ends with it, and a mail says it happened.
 */
/**
 * A reset link is a token mailed to the address, so using it proves the address as a verification link does:
 * an account held for verification goes to the PBX (true: kick the worker after the commit).
 */
export interface EmailProven {
  activate(tx: Transaction, userId: string): Promise<boolean>;
  kick(): void;
}

export function createPasswordReset({ db, hasher, mail, sessions, emailProven, publicBaseUrl, ttlSeconds, offRequestPath, logger, cooldownSeconds = RESET_COOLDOWN_SECONDS }: {
  db: Database;
  emailProven: EmailProven;
  hasher: Pick<PasswordHasher, 'hash'>;
  mail: Pick<Mail, 'enqueue' | 'kick'>;
  sessions: SessionsEnding;
  publicBaseUrl: string;
  ttlSeconds: number;
  offRequestPath: Pick<OffRequestPath, 'run'>;
  logger: Logger;
  cooldownSeconds?: number;
}) {
  const tokens = createEmailTokensRepository({ db });
  const displayName = (user: Pick<UserRow, 'displayName'>) => (user.displayName ? { displayName: user.displayName } : {});

  return {
    /** The same for any email, known or not: the caller answers at once, the look-up and the mail happen off the request path. */
    requestReset(email: string): void {
      offRequestPath.run('forgot-password', async () => {
        const user = await createUsersRepository({ db }).findByEmail(email.trim());
        if (!user || !user.isActive) return;
        if (await tokens.issuedWithin(user.id, 'reset_password', cooldownSeconds)) return;
        await db.transaction(async (tx) => {
          // Only the newest link works: an older one, perhaps still in a forwarded mail, is ended.
          const token = await createEmailTokensRepository({ db: tx }).issue({ userId: user.id, purpose: 'reset_password', ttlSeconds, supersede: true });
          await mail.enqueue(tx, {
            to: user.email,
            template: 'reset-password',
            locale: user.locale,
            params: { url: `${publicBaseUrl}/auth/reset-password?token=${token}`, validForMinutes: Math.max(1, Math.round(ttlSeconds / 60)), ...displayName(user) },
          });
        });
        mail.kick();
        logger.info({ userId: user.id }, 'Password reset link sent');
      });
    },

    /** Who a still-usable link is for, without using it: the form it opens names their email, in their language. */
    async describeToken(token: string): Promise<Pick<UserRow, 'email' | 'locale'> | undefined> {
      const found = await tokens.findUsable('reset_password', token);
      return found && createUsersRepository({ db }).findById(found.userId);
    },

    /**
     * Sets the new password with the token, once: the token is used up, the hash replaced, every session ended
     * and the notice queued in one transaction. 400 `email_token_invalid` for any bad token, 422 for a refused password.
     */
    async reset({ token, newPassword }: { token: string; newPassword: string }): Promise<Pick<UserRow, 'locale'>> {
      assertPasswordAcceptable(newPassword);
      // A cheap look first, so a made-up token costs no hash; the UPDATE below settles races.
      if (!(await tokens.findUsable('reset_password', token))) throw invalidEmailToken();
      const passwordHash = await hasher.hash(newPassword);
      let endedSessions: string[] = [];
      let queued = false;
      const user = await db.transaction(async (tx) => {
        const found = await createEmailTokensRepository({ db: tx }).consume('reset_password', token);
        if (!found) return undefined;
        const [changed] = await tx
          .update(users)
          // An invited user (CSV import) sets a first password here: their address is proven by it too.
          .set({ passwordHash, emailVerifiedAt: sql`coalesce(${users.emailVerifiedAt}, now())` })
          .where(eq(users.id, found.userId))
          .returning();
        if (!changed) return undefined;
        queued = await emailProven.activate(tx, changed.id);
        endedSessions = await sessions.endAll(changed.id, 'password_reset', tx);
        await mail.enqueue(tx, { to: changed.email, template: 'password-changed', locale: changed.locale, params: displayName(changed) });
        return changed;
      });
      if (!user) throw invalidEmailToken();
      sessions.forget(endedSessions);
      mail.kick();
      if (queued) emailProven.kick();
      logger.info({ userId: user.id }, 'Password reset; every session ended');
      return user;
    },
  };
}

export type PasswordReset = ReturnType<typeof createPasswordReset>;
