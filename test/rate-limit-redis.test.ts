import { randomInt } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createTestService, serviceForThisFile, uniqueEmail, GOOD_PASSWORD } from './support/test-service.ts';

// Needs the Redis at 127.0.0.1:6379 (like PostgreSQL, always there on this project's machines); without it
// these tests fail: the 429 below never comes.
const REDIS = { RATE_LIMIT_REDIS_URL: process.env.RATE_LIMIT_REDIS_URL ?? 'redis://127.0.0.1:6379', AUTH_RATE_LIMIT_PER_MINUTE: '3' };
const file = serviceForThisFile({ env: REDIS });

describe('rate limits with RATE_LIMIT_REDIS_URL', () => {
  it('are counted together by every instance: the fourth login attempt from one address is refused by either', async () => {
    const other = await createTestService({ database: file.database.handle, env: REDIS });
    try {
      // An address of its own per run, so earlier runs' counters (they live a minute) play no part.
      const remoteAddress = `198.18.${randomInt(256)}.${randomInt(1, 255)}`;
      const attempt = (svc: typeof other) =>
        svc.app.inject({ method: 'POST', url: '/auth/login', payload: { email: uniqueEmail(), password: GOOD_PASSWORD }, remoteAddress });
      const statuses = [
        (await attempt(file.service)).statusCode,
        (await attempt(other)).statusCode,
        (await attempt(file.service)).statusCode,
        (await attempt(other)).statusCode,
      ];
      expect(statuses).toEqual([401, 401, 401, 429]);
      const limited = await attempt(file.service);
      expect(limited.json()).toMatchObject({ code: 'rate_limited' });
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    } finally {
      await other.close();
    }
  });
});
