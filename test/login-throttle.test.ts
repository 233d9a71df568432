import { randomInt } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { addressKey } from '../src/modules/auth/login-throttle.ts';
import { createTestService, GOOD_PASSWORD, registerAndLogin, serviceForThisFile, uniqueEmail, type TestService } from './support/test-service.ts';

// Default throttle settings (50 failures per account and hour, 5 in a row per address before delays).
const file = serviceForThisFile({ startWorker: false });

const login = (service: TestService, email: string, password: string, remoteAddress: string) =>
  service.app.inject({ method: 'POST', url: '/auth/login', payload: { email, password }, remoteAddress });

/** A documentation address of its own per call (and per run, for counters kept in Redis). */
let next = randomInt(0, 200);
const freshAddress = () => `198.51.${100 + (next++ % 100)}.${randomInt(1, 255)}`;

/** `rounds` wrong guesses from each address, interleaved as a botnet sends them; the statuses. */
async function guess(service: TestService, email: string, addresses: string[], rounds: number): Promise<number[]> {
  const statuses: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const answers = await Promise.all(addresses.map((address) => login(service, email, `wrong guess ${round}`, address)));
    statuses.push(...answers.map((answer) => answer.statusCode));
  }
  return statuses;
}

describe('failed logins per account', () => {
  it('stop ten addresses making 300 guesses at one account at the cap, with 429 login_throttled and Retry-After', { timeout: 60_000 }, async () => {
    const { email } = await registerAndLogin(file.service.app);
    const addresses = Array.from({ length: 10 }, freshAddress);
    const statuses = await guess(file.service, email, addresses, 30);
    const checked = statuses.filter((status) => status === 401).length;
    expect(statuses.filter((status) => status !== 401 && status !== 429)).toEqual([]);
    // 300 guesses sent; the password was checked for at most 50 (the hourly cap), not 300 a minute.
    expect(checked).toBeLessThanOrEqual(50);
    const refused = await login(file.service, email, 'one more guess', addresses[0]!);
    expect(refused.statusCode).toBe(429);
    expect(refused.json()).toMatchObject({ status: 429, code: 'login_throttled' });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);

    // The owner, with the right password, from an address of their own, still gets in during the attack.
    const owner = await login(file.service, email, GOOD_PASSWORD, freshAddress());
    expect(owner.statusCode).toBe(200);
  });

  it('slow one address down exponentially after 5 failures in a row, and a success from it clears its record', async () => {
    const { email } = await registerAndLogin(file.service.app);
    const address = freshAddress();
    expect(await guess(file.service, email, [address], 6)).toEqual([401, 401, 401, 401, 401, 429]);
    const first = await login(file.service, email, 'guess', address);
    expect(first.headers['retry-after']).toBe('1');
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect((await login(file.service, email, 'guess after the wait', address)).statusCode).toBe(401);
    expect((await login(file.service, email, 'guess', address)).headers['retry-after']).toBe('2');
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    // The owner typed it right at last: the address starts afresh.
    expect((await login(file.service, email, GOOD_PASSWORD, address)).statusCode).toBe(200);
    expect(await guess(file.service, email, [address], 5)).toEqual([401, 401, 401, 401, 401]);
  });

  it('throttle an unknown email exactly like a known one, so the answer tells nothing', async () => {
    const address = freshAddress();
    const known = (await registerAndLogin(file.service.app)).email;
    expect(await guess(file.service, known, [address], 6)).toEqual([401, 401, 401, 401, 401, 429]);
    expect(await guess(file.service, uniqueEmail('nobody'), [address], 6)).toEqual([401, 401, 401, 401, 401, 429]);
  });

  it('count an IPv6 /64 as one address', () => {
    expect(addressKey('2001:db8:1:2:aaaa::1')).toBe(addressKey('2001:0db8:0001:0002:ffff:1:2:3'));
    expect(addressKey('2001:db8:1:2::1')).not.toBe(addressKey('2001:db8:1:3::1'));
    expect(addressKey('::ffff:192.0.2.1')).toBe('192.0.2.1');
  });
});

describe('failed logins per account with RATE_LIMIT_REDIS_URL', () => {
  const REDIS = { RATE_LIMIT_REDIS_URL: process.env.RATE_LIMIT_REDIS_URL ?? 'redis://127.0.0.1:6379' };

  it('are counted together by every instance', async () => {
    const one = await createTestService({ database: file.database.handle, env: REDIS, startWorker: false });
    const two = await createTestService({ database: file.database.handle, env: REDIS, startWorker: false });
    try {
      const { email } = await registerAndLogin(one.app);
      const address = freshAddress();
      const statuses = [];
      for (let i = 0; i < 6; i++) statuses.push((await login(i % 2 ? two : one, email, `wrong ${i}`, address)).statusCode);
      expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
      expect((await login(one, email, GOOD_PASSWORD, freshAddress())).statusCode).toBe(200);
    } finally {
      await one.close();
      await two.close();
    }
  });

  // Slow by the rate limiter's own Redis retries (up to 2 s per request while Redis is gone), not the throttle's.
  it('let logins through, unthrottled, when Redis does not answer', { timeout: 60_000 }, async () => {
    const unreachable = await createTestService({ database: file.database.handle, env: { RATE_LIMIT_REDIS_URL: 'redis://127.0.0.1:1' }, startWorker: false });
    try {
      const { email } = await registerAndLogin(file.service.app);
      const address = freshAddress();
      expect(await guess(unreachable, email, [address], 6)).toEqual([401, 401, 401, 401, 401, 401]);
      expect((await login(unreachable, email, GOOD_PASSWORD, address)).statusCode).toBe(200);
      expect(unreachable.logs.text).toContain('Login throttle counters unavailable');
    } finally {
      await unreachable.close();
    }
  });
});
