import { describe, expect, it } from 'vitest';
import { createLoginUser } from '../../src/modules/auth/auth.usecases.ts';
import type { UserRow } from '../../src/modules/users/users.table.ts';

const alice: UserRow = { id: 'u1', email: 'Alice@Example.com', passwordHash: 'hash-of-right', displayName: null, isActive: true, emailVerifiedAt: null, locale: null, createdAt: new Date(), deletionRequestedAt: null };

function loginWith(users: UserRow[]) {
  const calls: string[] = [];
  const loginUser = createLoginUser({
    users: { findByEmail: async (email) => users.find((user) => user.email.toLowerCase() === email.toLowerCase()) },
    hasher: {
      verify: async (hash, password) => (calls.push('verify'), hash === `hash-of-${password}`),
      verifyAgainstDummy: async () => (calls.push('dummy'), false),
    },
    sessions: { start: async (userId) => ({ accessToken: `token-for-${userId}`, refreshToken: `refresh-for-${userId}`, sessionId: 's1' }) },
    throttle: { check: async () => ({ allowed: true }) as never, recordFailure: async () => {}, recordSuccess: async () => {} },
  });
  return { loginUser, calls };
}

const codeOf = (promise: Promise<unknown>) => promise.then(() => 'ok', (error: { code: string }) => error.code);

describe('login', () => {
  it('issues tokens for the right password, the email matched without regard to case or spaces', async () => {
    const { loginUser } = loginWith([alice]);
    expect(await loginUser({ email: ' alice@example.com ', password: 'right', clientAddress: '192.0.2.1' })).toEqual({ accessToken: 'token-for-u1', refreshToken: 'refresh-for-u1' });
  });

  it('answers a wrong password and an unknown email alike, and spends a hash on both', async () => {
    const { loginUser, calls } = loginWith([alice]);
    expect(await codeOf(loginUser({ email: 'alice@example.com', password: 'wrong', clientAddress: '192.0.2.1' }))).toBe('invalid_credentials');
    expect(await codeOf(loginUser({ email: 'nobody@example.com', password: 'right', clientAddress: '192.0.2.1' }))).toBe('invalid_credentials');
    expect(calls).toEqual(['verify', 'dummy']);
  });

  it('refuses a deactivated user only after the password is proven, so it reveals nothing to a guesser', async () => {
    const { loginUser } = loginWith([{ ...alice, isActive: false }]);
    expect(await codeOf(loginUser({ email: 'alice@example.com', password: 'wrong', clientAddress: '192.0.2.1' }))).toBe('invalid_credentials');
    expect(await codeOf(loginUser({ email: 'alice@example.com', password: 'right', clientAddress: '192.0.2.1' }))).toBe('user_inactive');
  });

  it('answers a user who asked to be deleted as an unknown email, even with the right password', async () => {
    const { loginUser, calls } = loginWith([{ ...alice, deletionRequestedAt: new Date() }]);
    expect(await codeOf(loginUser({ email: 'alice@example.com', password: 'right', clientAddress: '192.0.2.1' }))).toBe('invalid_credentials');
    expect(calls).toEqual(['verify']);
  });
});
