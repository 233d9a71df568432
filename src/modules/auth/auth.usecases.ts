import type { Database } from '../../db/database.ts';
import { createUsersRepository } from '../users/users.repository.ts';
import type { AccessTokens } from './access-tokens.ts';
import { inactiveUserError, invalidCredentialsError } from './auth.errors.ts';
import type { PasswordHasher } from './password-hasher.ts';

export function createLoginUser({ db, hasher, tokens }: { db: Database; hasher: PasswordHasher; tokens: AccessTokens }) {
  return async function loginUser(input: { email: string; password: string }): Promise<{ accessToken: string }> {
    const user = await createUsersRepository({ db }).findByEmail(input.email.trim());
    // Unknown emails cost a hash too, so response time does not reveal which emails are registered.
    const valid = user ? await hasher.verify(user.passwordHash, input.password) : await hasher.verifyAgainstDummy(input.password);
    if (!user || !valid) throw invalidCredentialsError({ detail: 'The email or password is wrong.' });
    if (!user.isActive) throw inactiveUserError({ detail: 'This account has been deactivated.' });
    return { accessToken: await tokens.issue(user.id) };
  };
}
