import type { UsersRepository } from '../users/users.repository.ts';
import { inactiveUserError, invalidCredentialsError, loginThrottledError } from './auth.errors.ts';
import type { LoginThrottle } from './login-throttle.ts';
import type { PasswordHasher } from './password-hasher.ts';
import type { SessionUseCases } from './sessions.usecases.ts';

export function createLoginUser({ users, hasher, sessions, throttle }: {
  users: Pick<UsersRepository, 'findByEmail'>;
  hasher: Pick<PasswordHasher, 'verify' | 'verifyAgainstDummy'>;
  /** Each login starts a session: its access token carries the session id, its refresh token keeps it alive. */
  sessions: Pick<SessionUseCases, 'start'>;
  throttle: Pick<LoginThrottle, 'check' | 'recordFailure' | 'recordSuccess'>;
}) {
  return async function loginUser(input: { email: string; password: string; clientAddress: string; userAgent?: string }): Promise<{
    accessToken: string;
    refreshToken: string;
  }> {
    const email = input.email.trim();
    // Before any hash: a refused attempt costs nothing, and tells nothing about the password.
    const verdict = await throttle.check(email, input.clientAddress);
    if (!verdict.allowed) {
      throw loginThrottledError({
        detail: `Too many failed logins for this account; retry in ${verdict.retryAfterSeconds} s.`,
        headers: { 'retry-after': String(verdict.retryAfterSeconds) },
      });
    }
    const user = await users.findByEmail(email);
    // Unknown emails cost a hash too, so response time does not reveal which emails are registered.
    const valid = user ? await hasher.verify(user.passwordHash, input.password) : await hasher.verifyAgainstDummy(input.password);
    // A user who asked to be deleted is gone as far as anyone can tell, the right password included.
    if (!user || !valid || user.deletionRequestedAt) {
      await throttle.recordFailure(email, input.clientAddress);
      throw invalidCredentialsError({ detail: 'The email or password is wrong.' });
    }
    await throttle.recordSuccess(email, input.clientAddress);
    if (!user.isActive) throw inactiveUserError({ detail: 'This account has been deactivated.' });
    const { accessToken, refreshToken } = await sessions.start(user.id, { ipAddress: input.clientAddress, userAgent: input.userAgent });
    return { accessToken, refreshToken };
  };
}
