import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator } from '../../../tools/freepbx-sim/testing.ts';
import { account, createDriverHarness, rejection, DRIVER_RELOAD_DELAY_MS, type Sim } from '../../support/freepbx-driver-harness.ts';

describe('FreePBX driver: access tokens', () => {
  let sim: Sim;
  beforeAll(async () => {
    // Tokens renew at 90 % of their lifetime: 3 s leaves the other tests far from that on a busy machine.
    sim = await startSimulator({ reloadDelayMs: DRIVER_RELOAD_DELAY_MS, tokenLifetimeSeconds: 3 });
  });
  beforeEach(() => sim.reset());
  afterAll(() => sim.stop());

  it('one token serves many calls, including concurrent ones', async () => {
    const { driver } = createDriverHarness(sim);
    await Promise.all(['1000', '1001', '1002'].map((extension) => driver.createAccount(account(extension))));
    await driver.deleteAccount('1002');
    expect(sim.counters().tokenRequests).toBe(1);
    expect(sim.counters().authFailures).toBe(0);
  });

  it('the token is renewed before expires_in ends, without a refused call', async () => {
    const { driver } = createDriverHarness(sim);
    await driver.createAccount(account('1000'));
    await new Promise((resolve) => setTimeout(resolve, 2800));
    await driver.deleteAccount('1000');
    expect(sim.counters()).toMatchObject({ tokenRequests: 2, authFailures: 0 });
  });

  it('a token that expires mid-flow is replaced and the call retried once (api 16: 401)', async () => {
    const { driver } = createDriverHarness(sim);
    await driver.createAccount(account('1000'));
    sim.faults.expireAllTokens();
    await driver.applyChanges();
    expect(sim.counters()).toMatchObject({ tokenRequests: 2, authFailures: 1, reloadsStarted: 1 });
  });

  it('api 17: a 500 whose body says access_denied also triggers one renewal and retry', async () => {
    sim.faults.setApiVersion(17);
    const { driver } = createDriverHarness(sim);
    await driver.createAccount(account('1000'));
    sim.faults.expireAllTokens();
    await driver.updateAccount(account('1000'));
    expect(sim.counters()).toMatchObject({ tokenRequests: 2, authFailures: 1 });
  });

  it('a plain 500 is not mistaken for an auth failure', async () => {
    const { driver } = createDriverHarness(sim);
    await driver.createAccount(account('1000'));
    sim.faults.failNext(1, { status: 500, target: 'gql' });
    expect(await rejection(driver.deleteAccount('1000'))).toMatchObject({ kind: 'unavailable', retryable: true });
    expect(sim.counters().tokenRequests).toBe(1);
  });

  it('wrong client credentials are an auth failure that is not retried', async () => {
    const { driver } = createDriverHarness(sim, { clientSecret: '0'.repeat(32) });
    const error = await rejection(driver.createAccount(account('1000')));
    expect(error).toMatchObject({ kind: 'auth', retryable: false, message: expect.stringContaining('invalid_client') });
  });

  it('a fixed API token works until it expires, then fails as auth without renewal', async () => {
    const { driver: bootstrap, issuedTokens } = createDriverHarness(sim);
    await bootstrap.checkHealth();
    const { driver } = createDriverHarness(sim, { clientId: undefined, clientSecret: undefined, apiToken: issuedTokens[0] });
    await driver.createAccount(account('1000'));
    sim.faults.expireAllTokens();
    const error = await rejection(driver.deleteAccount('1000'));
    expect(error).toMatchObject({ kind: 'auth', retryable: false });
    expect(sim.counters().tokenRequests).toBe(1);
  });

  it('a token without the core scope is reported as a missing scope', async () => {
    const restricted = await startSimulator({ reloadDelayMs: DRIVER_RELOAD_DELAY_MS, clients: [{ clientId: 'a'.repeat(64), clientSecret: 'b'.repeat(32), allowedScopes: ['gql:framework'] }] });
    try {
      const { driver } = createDriverHarness(restricted);
      const error = await rejection(driver.createAccount(account('1000')));
      expect(error).toMatchObject({ kind: 'auth', retryable: false, message: expect.stringContaining('lacks a scope') });
    } finally {
      await restricted.stop();
    }
  });
});
