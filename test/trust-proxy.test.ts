import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config/load-config.ts';
import { createTestDatabase, type TestDatabase } from './support/test-database.ts';
import { createTestService, GOOD_PASSWORD, uniqueEmail, type TestService } from './support/test-service.ts';

const PER_MINUTE = 5;
let database: TestDatabase;
const services: TestService[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  for (const service of services) await service.close();
  await database?.close();
});

async function serviceTrusting(trustProxy: string): Promise<TestService> {
  const service = await createTestService({
    database: database.handle,
    env: { TRUST_PROXY: trustProxy, AUTH_RATE_LIMIT_PER_MINUTE: String(PER_MINUTE) },
    startWorker: false,
  });
  services.push(service);
  return service;
}

/** Logins through `remoteAddress` with the X-Forwarded-For values given; the statuses they got. */
async function logins(service: TestService, remoteAddress: string, forwardedFor: string[]): Promise<number[]> {
  const statuses: number[] = [];
  for (const value of forwardedFor) {
    const response = await service.app.inject({
      method: 'POST',
      url: '/auth/login',
      payload: { email: uniqueEmail('proxied'), password: GOOD_PASSWORD },
      headers: { 'x-forwarded-for': value },
      remoteAddress,
    });
    statuses.push(response.statusCode);
  }
  return statuses;
}

const forged = (count: number, realClient: string) =>
  Array.from({ length: count }, (_, i) => `203.0.113.${i % 250}, 192.0.2.${i % 250}, ${realClient}`);
const passed = (statuses: number[]) => statuses.filter((status) => status !== 429).length;

describe('TRUST_PROXY', () => {
  it('with a hop count (1), limits 100 logins with forged X-Forwarded-For values as the one client the proxy saw', async () => {
    const service = await serviceTrusting('1');
    // The proxy (10.0.0.2) appends the address it saw to whatever the client sent.
    expect(passed(await logins(service, '10.0.0.2', forged(100, '198.51.100.7')))).toBe(PER_MINUTE);
    // Another client behind the same proxy has a budget of its own.
    expect(await logins(service, '10.0.0.2', ['203.0.113.1, 198.51.100.8'])).toEqual([401]);
  });

  it('with a list, believes only the listed proxies: a client that is not one counts under its own address', async () => {
    const service = await serviceTrusting('10.0.0.0/8, 2001:db8::1');
    expect(passed(await logins(service, '10.1.2.3', forged(20, '198.51.100.9')))).toBe(PER_MINUTE);
    expect(await logins(service, '10.1.2.3', ['198.51.100.10'])).toEqual([401]);
    expect(await logins(service, '2001:db8::1', ['198.51.100.11'])).toEqual([401]);
    // Straight from an unlisted address, X-Forwarded-For is not believed at all.
    expect(passed(await logins(service, '198.51.100.50', forged(20, '198.51.100.51')))).toBe(PER_MINUTE);
  });

  it('true (compatibility) trusts every hop, and a warning at start-up says so', async () => {
    const service = await serviceTrusting('true');
    expect(service.logs.text).toContain('TRUST_PROXY=true believes every X-Forwarded-For hop');
    const statuses = await logins(service, '10.0.0.2', Array.from({ length: PER_MINUTE + 2 }, (_, i) => `198.51.100.${100 + i}`));
    expect(passed(statuses)).toBe(PER_MINUTE + 2);
    expect((await serviceTrusting('1')).logs.text).not.toContain('TRUST_PROXY=true');
  });

  it('refuses at start-up a value that is none of false, true, a hop count or a list of addresses and CIDRs', () => {
    for (const value of ['yes', '10.0.0.300', '10.0.0.0/33', '10.0.0.1,,', 'example.com']) {
      expect(() => loadConfig({ TRUST_PROXY: value })).toThrow(ConfigError);
    }
    expect(loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8' }).trustProxy).toEqual(['loopback', '10.0.0.0/8']);
    expect(loadConfig({}).trustProxy).toBe(false);
  });
});
