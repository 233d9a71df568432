import { eq } from 'drizzle-orm';
import type { Database, Queryable } from '../../db/database.ts';
import { createUsersRepository } from '../users/users.repository.ts';
import { users, type UserRow } from '../users/users.table.ts';
import { invalidCredentialsError, loginThrottledError, notAuthenticatedError } from './auth.errors.ts';
import type { LoginThrottle } from './login-throttle.ts';
import type { PasswordHasher } from './password-hasher.ts';
import { assertPasswordAcceptable } from './password-policy.ts';
import type { SessionClient } from './sessions.repository.ts';
import type { IssuedTokens, SessionUseCases } from './sessions.usecases.ts';

/** The 'password-changed' mail, queued by whoever wires auth to the mail module (auth knows no mail). */
export interface PasswordChangedNotice {
  /** Queues the notice to `user` inside `tx`: it is sent if and only if the change commits. */
  queue(tx: Queryable, user: UserRow): Promise<unknown>;
  /** After the commit: send it now rather than at the next poll. */
  kick(): void;
}

/**
 * A signed-in user changes their password: the current one is proven first (a wrong one counts as a failed
 * login for the throttle, so a stolen access token is no free password oracle), the new one meets the sign-up
 * policy, and in one transaction the hash is replaced, every session of the user ends (this one too) and a
 * new session starts, whose tokens are the answer; the user is told by mail.
 */
export function createChangePassword({ db, hasher, throttle, sessions, notice }: {
  db: Database;
  hasher: Pick<PasswordHasher, 'hash' | 'verify'>;
  throttle: Pick<LoginThrottle, 'check' | 'recordFailure' | 'recordSuccess'>;
  sessions: Pick<SessionUseCases, 'start' | 'endAll' | 'forget'>;
  notice: PasswordChangedNotice;
}) {
  return async function changePassword(input: { userId: string; currentPassword: string; newPassword: string; client: SessionClient }): Promise<IssuedTokens> {
    const user = await createUsersRepository({ db }).findById(input.userId);
    if (!user) throw notAuthenticatedError({ detail: 'The user of this token no longer exists.' });
    const address = input.client.ipAddress;
    const verdict = await throttle.check(user.email, address);
    if (!verdict.allowed) {
      throw loginThrottledError({
        detail: `Too many failed password checks for this account; retry in ${verdict.retryAfterSeconds} s.`,
        headers: { 'retry-after': String(verdict.retryAfterSeconds) },
      });
    }
    if (!(await hasher.verify(user.passwordHash, input.currentPassword))) {
      await throttle.recordFailure(user.email, address);
      throw invalidCredentialsError({ detail: 'The current password is wrong.' });
    }
    await throttle.recordSuccess(user.email, address);
    assertPasswordAcceptable(input.newPassword, 'new_password');
    const passwordHash = await hasher.hash(input.newPassword);

    const { issued, ended } = await db.transaction(async (tx) => {
      await tx.update(users).set({ passwordHash }).where(eq(users.id, user.id));
      const ended = await sessions.endAll(user.id, 'password_changed', tx);
      const issued = await sessions.start(user.id, input.client, tx);
      await notice.queue(tx, user);
      return { issued, ended };
    });
    sessions.forget(ended);
    notice.kick();
    return issued;
  };
}
