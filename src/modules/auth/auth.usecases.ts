import type { UsersRepository } from '../users/users.repository.ts';
import type { AccessTokens } from './access-tokens.ts';
import { inactiveUserError, invalidCredentialsError } from './auth.errors.ts';
import type { PasswordHasher } from './password-hasher.ts';

export function createLoginUser({ users, hasher, tokens }: {
  users: Pick<UsersRepository, 'findByEmail'>;
  hasher: Pick<PasswordHasher, 'verify' | 'verifyAgainstDummy'>;
  tokens: Pick<AccessTokens, 'issue'>;
}) {
  return async function loginUser(input: { email: string; password: string }): Promise<{ accessToken: string }> {
    const user = await users.findByEmail(input.email.trim());
    // Unknown emails cost a hash too, so response time does not reveal which emails are registered.
    const valid = user ? await hasher.verify(user.passwordHash, input.password) : await hasher.verifyAgainstDummy(input.password);
    if (!user || !valid) throw invalidCredentialsError({ detail: 'The email or password is wrong.' });
    if (!user.isActive) throw inactiveUserError({ detail: 'This account has been deactivated.' });
    return { accessToken: await tokens.issue(user.id) };
  };
}
