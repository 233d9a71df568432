import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator } from '../../../tools/freepbx-sim/testing.ts';
import { provisioningMarker } from '../../../src/modules/pbx/freepbx/freepbx-driver.ts';
import { account, API_VERSIONS, createDriverHarness, rejection, DRIVER_RELOAD_DELAY_MS, type Sim } from '../../support/freepbx-driver-harness.ts';

/**
 * FreePBX's addExtension/updateExtension can answer `status: true` when nothing was written (§8): the driver
 * reads the extension back after each write, and a write it cannot see is a retryable failure, never success.
 */
describe.each(API_VERSIONS)('FreePBX driver: reading back every write (api %i)', (apiVersion) => {
  let sim: Sim;
  beforeAll(async () => {
    sim = await startSimulator({ reloadDelayMs: DRIVER_RELOAD_DELAY_MS, apiVersion });
  });
  beforeEach(() => sim.reset());
  afterAll(() => sim.stop());

  it('an add that said success but created nothing is a retryable failure, and no update is sent', async () => {
    const { driver } = createDriverHarness(sim);
    sim.faults.silentFailNext(1);
    const error = await rejection(driver.createAccount(account('1000')));
    expect(error).toMatchObject({ name: 'PbxError', kind: 'rejected', retryable: true, message: expect.stringContaining('reading it back') });
    expect(sim.counters().operations.updateExtension).toBeUndefined();
    await driver.createAccount(account('1000'));
    await driver.applyChanges();
    expect(sim.state.liveSecret('1000')).toBe(account('1000').secret);
  });

  it('an update that said success but left the old secret is a retryable failure, then the retry sets it', async () => {
    const { driver } = createDriverHarness(sim);
    await driver.createAccount(account('1000', 'first-secret-aaaa'));
    sim.faults.silentFailNext(1);
    const error = await rejection(driver.updateAccount(account('1000', 'second-secret-bbbb')));
    expect(error).toMatchObject({ kind: 'rejected', retryable: true, message: expect.stringContaining('secret') });
    expect(sim.state.extensions()[0]!.secret).toBe('first-secret-aaaa');
    await driver.updateAccount(account('1000', 'second-secret-bbbb'));
    expect(sim.state.extensions()[0]!.secret).toBe('second-secret-bbbb');
  });

  it('an update that said success but lost the extension (deleted, not re-created) is a retryable failure', async () => {
    const { driver } = createDriverHarness(sim);
    await driver.createAccount(account('1000'));
    sim.faults.silentFailNext(1, { update: 'deleted' });
    const error = await rejection(driver.updateAccount(account('1000', 'second-secret-bbbb')));
    expect(error).toMatchObject({ kind: 'rejected', retryable: true, message: expect.stringContaining('not there') });
    expect(sim.state.extensions()).toEqual([]);
  });

  it('finishing a half-made extension whose update silently failed is not reported done', async () => {
    const { driver } = createDriverHarness(sim);
    const ours = account('1000');
    sim.state.seedExtension({ extensionId: '1000', name: provisioningMarker(ours), secret: 'generated-by-freepbx' });
    sim.faults.silentFailNext(1);
    expect(await rejection(driver.createAccount(ours))).toMatchObject({ kind: 'rejected', retryable: true });
    await driver.createAccount(ours);
    expect(sim.state.extensions()[0]!.secret).toBe(ours.secret);
  });

  it('no secret is in the error of a failed read-back', async () => {
    const { driver, logLines } = createDriverHarness(sim);
    await driver.createAccount(account('1000', 'first-secret-aaaa'));
    sim.faults.silentFailNext(1);
    const error = await rejection(driver.updateAccount(account('1000', 'second-secret-bbbb')));
    const text = `${error.message} ${JSON.stringify(error)} ${logLines.join('\n')}`;
    for (const secret of ['first-secret-aaaa', 'second-secret-bbbb']) expect(text).not.toContain(secret);
  });
});
