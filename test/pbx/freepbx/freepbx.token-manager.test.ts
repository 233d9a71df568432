import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator } from '../../../tools/freepbx-sim/testing.ts';
import { requestToken } from '../../../tools/freepbx-sim/test-helpers.ts';
import { account, API_VERSIONS, createDriverHarness, rejection, DRIVER_RELOAD_DELAY_MS, type Sim } from '../../support/freepbx-driver-harness.ts';

describe.each(API_VERSIONS)('FreePBX driver: access tokens (api %i)', (apiVersion) => {
  let sim: Sim;
  /** How this api version refuses a bearer token (§8): 401 access_denied, or Whoops' 500 naming OAuthServerException. */
  const refusal = apiVersion === 16 ? 'HTTP 401' : 'HTTP 500';
  beforeAll(async () => {
    // Tokens renew at 90 % of their lifetime: 3 s leaves the other tests far from that on a busy machine.
    sim = await startSimulator({
      reloadDelayMs: DRIVER_RELOAD_DELAY_MS,
      tokenLifetimeSeconds: 3,
      apiVersion,
      clients: [
        { clientId: 'a'.repeat(64), clientSecret: 'b'.repeat(32), allowedScopes: ['gql'] },
        { clientId: 'c'.repeat(64), clientSecret: 'd'.repeat(32), allowedScopes: ['gql:framework'] },
      ],
    });
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

  it(`a token refused mid-flow (${refusal}) is dropped, renewed once and the call retried`, async () => {
    const { driver } = createDriverHarness(sim);
    await driver.createAccount(account('1000'));
    sim.faults.expireAllTokens();
    await driver.updateAccount(account('1000'));
    await driver.applyChanges();
    expect(sim.counters()).toMatchObject({ tokenRequests: 2, authFailures: 1, reloadsStarted: 1 });
  });

  it('a freshly issued token refused too is an auth error that names the credentials, after exactly one renewal', async () => {
    const { driver } = createDriverHarness(sim);
    await driver.checkHealth();
    sim.faults.refuseTokensNext(2);
    const error = await rejection(driver.deleteAccount('1000'));
    expect(error).toMatchObject({ name: 'PbxError', kind: 'auth', message: expect.stringContaining('FREEPBX_CLIENT_ID') });
    expect(error.message).toContain(refusal);
    expect(sim.counters()).toMatchObject({ tokenRequests: 2, authFailures: 2 });
  });

  it('a plain 500 is not mistaken for an auth failure', async () => {
    const { driver } = createDriverHarness(sim);
    await driver.createAccount(account('1000'));
    sim.faults.failNext(1, { status: 500, target: 'gql' });
    expect(await rejection(driver.deleteAccount('1000'))).toMatchObject({ kind: 'unavailable', retryable: true });
    expect(sim.counters().tokenRequests).toBe(1);
  });

  it('an unknown client id is an auth failure (invalid_client) that is not retried', async () => {
    const { driver } = createDriverHarness(sim, { clientId: 'f'.repeat(64) });
    const error = await rejection(driver.createAccount(account('1000')));
    expect(error).toMatchObject({ kind: 'auth', retryable: false, message: expect.stringContaining('invalid_client') });
  });

  it(apiVersion === 16 ? 'a wrong client secret is refused (invalid_client)' : 'a wrong client secret goes unnoticed: api 17 does not check it', async () => {
    const { driver } = createDriverHarness(sim, { clientSecret: '0'.repeat(32) });
    if (apiVersion === 16) {
      expect(await rejection(driver.createAccount(account('1000')))).toMatchObject({ kind: 'auth', retryable: false, message: expect.stringContaining('FREEPBX_CLIENT_SECRET') });
    } else {
      await driver.createAccount(account('1000'));
      expect(sim.state.extensions()).toHaveLength(1);
    }
  });

  it(apiVersion === 16 ? 'an application without our scopes is refused at the token (invalid_scope), in words' : 'an application without our scopes still gets them: api 17 grants any existing scope', async () => {
    const { driver } = createDriverHarness(sim, { clientId: 'c'.repeat(64), clientSecret: 'd'.repeat(32) });
    if (apiVersion === 16) {
      const error = await rejection(driver.createAccount(account('1000')));
      expect(error).toMatchObject({ kind: 'auth', retryable: false, message: expect.stringContaining('invalid_scope') });
      expect(error.message).toContain('gql:core gql:framework');
    } else {
      await driver.createAccount(account('1000'));
    }
  });

  it('a fixed API token works until it expires, then fails as auth without renewal', async () => {
    const { driver: bootstrap, issuedTokens } = createDriverHarness(sim);
    await bootstrap.checkHealth();
    const { driver } = createDriverHarness(sim, { clientId: undefined, clientSecret: undefined, apiToken: issuedTokens[0] });
    await driver.createAccount(account('1000'));
    sim.faults.expireAllTokens();
    const error = await rejection(driver.deleteAccount('1000'));
    expect(error).toMatchObject({ kind: 'auth', retryable: false, message: expect.stringContaining('fixed API token') });
    expect(sim.counters().tokenRequests).toBe(1);
  });

  it('a token without the core scope is reported as a missing scope', async () => {
    const { body } = await requestToken(sim, { scope: 'gql:framework' });
    const { driver } = createDriverHarness(sim, { clientId: undefined, clientSecret: undefined, apiToken: String(body.access_token) });
    const error = await rejection(driver.createAccount(account('1000')));
    expect(error).toMatchObject({ kind: 'auth', retryable: false, message: expect.stringContaining('lacks a scope') });
  });
});
