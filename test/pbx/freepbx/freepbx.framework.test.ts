import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator } from '../../../tools/freepbx-sim/testing.ts';
import { requestToken } from '../../../tools/freepbx-sim/test-helpers.ts';
import { account, API_VERSIONS, createDriverHarness, rejection, DRIVER_RELOAD_DELAY_MS, type Sim } from '../../support/freepbx-driver-harness.ts';

/**
 * `doreload` and `fetchNeedReload` exist only on a 17-era framework (§8): on an older one FreePBX answers
 * "Cannot query field …", just as when the token lacks gql:framework; the driver tells the two apart.
 */
describe.each(API_VERSIONS)('FreePBX driver: a framework too old for Apply Config over the API (api %i)', (apiVersion) => {
  let sim: Sim;
  beforeAll(async () => {
    sim = await startSimulator({ reloadDelayMs: DRIVER_RELOAD_DELAY_MS, apiVersion, frameworkVersion: 16 });
  });
  beforeEach(() => sim.reset());
  afterAll(() => sim.stop());

  it('checkHealth says the framework is too old, in words, and does not blame scopes', async () => {
    const { driver } = createDriverHarness(sim);
    const health = await driver.checkHealth();
    expect(health).toMatchObject({ ok: false, detail: expect.stringContaining("framework is too old for Apply Config over the API") });
    expect(health.detail).toContain('upgrade to FreePBX 17');
    expect(health.detail).not.toMatch(/scope/i);
  });

  it('applyChanges fails with that message, not retryably, and starts no reload', async () => {
    const { driver } = createDriverHarness(sim);
    await driver.createAccount(account('1000'));
    const error = await rejection(driver.applyChanges());
    expect(error).toMatchObject({ name: 'PbxError', kind: 'apply_failed', retryable: false, message: expect.stringContaining('framework is too old') });
    expect(sim.counters().reloadsStarted).toBe(0);
  });

  it('a token without gql:framework is still reported as a missing scope on a 17-era framework', async () => {
    sim.faults.setFrameworkVersion(17);
    const { body } = await requestToken(sim, { scope: 'gql:core' });
    const { driver } = createDriverHarness(sim, { clientId: undefined, clientSecret: undefined, apiToken: String(body.access_token) });
    expect(await driver.checkHealth()).toMatchObject({ ok: false, detail: expect.stringContaining('lacks a scope') });
    expect(await rejection(driver.applyChanges())).toMatchObject({ kind: 'auth', retryable: false, message: expect.stringContaining('lacks a scope') });
  });

  it('...and on an older framework, where it cannot be told from the framework, too', async () => {
    const { body } = await requestToken(sim, { scope: 'gql:core' });
    const { driver } = createDriverHarness(sim, { clientId: undefined, clientSecret: undefined, apiToken: String(body.access_token) });
    expect(await driver.checkHealth()).toMatchObject({ ok: false, detail: expect.stringContaining('lacks a scope') });
  });
});
