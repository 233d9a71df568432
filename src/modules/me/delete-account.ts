import type { Logger } from 'pino';
import type { Database, Transaction } from '../../db/database.ts';
import { invalidCredentialsError, loginThrottledError, notAuthenticatedError } from '../auth/auth.errors.ts';
import type { LoginThrottle } from '../auth/login-throttle.ts';
import type { PasswordHasher } from '../auth/password-hasher.ts';
import type { SessionUseCases } from '../auth/sessions.usecases.ts';
import type { Mail } from '../mail/create-mail.ts';
import type { SipAccountUseCases } from '../sip-accounts/sip-accounts.usecases.ts';
import { defaultDisplayName } from '../users/display-name.ts';
import { createUsersRepository } from '../users/users.repository.ts';
import type { UserRow } from '../users/users.table.ts';

/** What a removal needs: the sessions to end, the account to close, the mail to queue, the worker to kick. */
export interface RemovalParts {
  db: Database;
  /** Every session ends in the deletion's transaction: its refresh tokens are dead, not merely refused. */
  sessions: Pick<SessionUseCases, 'endAll' | 'forget'>;
  sipAccounts: Pick<SipAccountUseCases, 'closeAccount'>;
  mail: Pick<Mail, 'enqueue' | 'kick'>;
  kickProvisioning: () => void;
  logger: Logger;
}

/**
 * A user's removal, whoever asks for it (the user with their password, or an admin). One transaction marks
 * the user and their SIP account as leaving (from its commit on, logins, tokens, credentials and links are
 * refused, on every instance: the account cache hears of it through the change notices), ends every session,
 * queues the delete job and the confirmation mail (to the address held now: it is erased with the user), and
 * runs `alsoInTransaction` (an admin's audit entry). The job removes the extension from the PBX, retried for
 * as long as the PBX is down and across restarts, and its completion erases the user
 * (sip-accounts/account-provisioning.ts). False when the removal was already under way.
 */
export function createRemoveUser({ db, sessions, sipAccounts, mail, kickProvisioning, logger }: RemovalParts) {
  return async function removeUser(user: UserRow, { reason, alsoInTransaction }: { reason: string; alsoInTransaction?: (tx: Transaction) => Promise<void> }): Promise<boolean> {
    let endedSessions: string[] = [];
    const started = await db.transaction(async (tx) => {
      const txUsers = createUsersRepository({ db: tx });
      // A second request racing this one finds the user already marked: the deletion is under way once.
      if (!(await txUsers.markDeleting(user.id))) return false;
      endedSessions = await sessions.endAll(user.id, reason, tx);
      // No account (nothing on the PBX): nothing to wait for.
      if (!(await sipAccounts.closeAccount(tx, user.id))) await txUsers.erase(user.id);
      await mail.enqueue(tx, { to: user.email, template: 'account-deleted', locale: user.locale, params: { displayName: defaultDisplayName(user) } });
      await alsoInTransaction?.(tx);
      return true;
    });
    if (!started) return false;
    sessions.forget(endedSessions);
    kickProvisioning();
    mail.kick();
    logger.info({ userId: user.id, reason }, 'Account deletion requested: removing the extension from the PBX, then erasing the user');
    return true;
  };
}

/** DELETE /auth/me: the password again (a stolen token alone cannot do it), then the removal above. */
export function createDeleteAccount({ hasher, throttle, ...parts }: RemovalParts & {
  hasher: Pick<PasswordHasher, 'verify'>;
  /** The login throttle: a stolen token does not buy unlimited guesses at the password. */
  throttle: Pick<LoginThrottle, 'check' | 'recordFailure' | 'recordSuccess'>;
}) {
  const users = createUsersRepository({ db: parts.db });
  const removeUser = createRemoveUser(parts);

  return async function deleteAccount({ userId, password, clientAddress }: { userId: string; password: string; clientAddress: string }): Promise<void> {
    const user = await users.findById(userId);
    if (!user || user.deletionRequestedAt) throw notAuthenticatedError({ detail: 'This account no longer exists or is being deleted.' });
    const verdict = await throttle.check(user.email, clientAddress);
    if (!verdict.allowed) {
      throw loginThrottledError({
        detail: `Too many wrong passwords for this account; retry in ${verdict.retryAfterSeconds} s.`,
        headers: { 'retry-after': String(verdict.retryAfterSeconds) },
      });
    }
    if (!(await hasher.verify(user.passwordHash, password))) {
      await throttle.recordFailure(user.email, clientAddress);
      throw invalidCredentialsError({ detail: 'The password is wrong.' });
    }
    await throttle.recordSuccess(user.email, clientAddress);
    await removeUser(user, { reason: 'account_deleted' });
  };
}
