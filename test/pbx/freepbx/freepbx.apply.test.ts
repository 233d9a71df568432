import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator } from '../../../tools/freepbx-sim/testing.ts';
import { account, API_VERSIONS, createDriverHarness, rejection, type Sim } from '../../support/freepbx-driver-harness.ts';

describe.each(API_VERSIONS)('FreePBX driver: applyChanges (api %i)', (apiVersion) => {
  let sim: Sim;
  beforeAll(async () => {
    sim = await startSimulator({ reloadDelayMs: 80, apiVersion });
  });
  beforeEach(() => sim.reset());
  afterAll(() => sim.stop());

  it('one doreload, polled until Executed, makes every earlier change live', async () => {
    const { driver } = createDriverHarness(sim);
    await driver.createAccount(account('1000'));
    await driver.createAccount(account('1001'));
    await driver.applyChanges();
    expect(sim.counters()).toMatchObject({ reloadsStarted: 1, maxConcurrentReloads: 1, reloadsRunning: 0 });
    expect(sim.counters().liveExtensions.map((entry) => entry.extensionId)).toEqual(['1000', '1001']);
  });

  it('a Failed reload is apply_failed and retryable', async () => {
    sim.faults.setReloadOutcome('failed', 'exit code 1: dialplan error');
    const { driver } = createDriverHarness(sim);
    const error = await rejection(driver.applyChanges());
    expect(error).toMatchObject({ kind: 'apply_failed', retryable: true, message: expect.stringContaining('dialplan error') });
  });

  it('a reload stuck in Processing ends in apply_timeout at the deadline, without a second reload', async () => {
    sim.faults.setReloadOutcome('stuck');
    const { driver } = createDriverHarness(sim, { applyTimeoutMs: 300 });
    const started = Date.now();
    const error = await rejection(driver.applyChanges());
    expect(error).toMatchObject({ kind: 'apply_timeout', retryable: true, message: expect.stringContaining('within 300 ms') });
    // The reload never ends: finishing at all proves the deadline. The bound leaves room for a loaded machine.
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(sim.counters().reloadsStarted).toBe(1);
  });

  it('5xx answers and resets while polling are polled through, still with one reload', async () => {
    const { driver } = createDriverHarness(sim);
    await driver.createAccount(account('1000'));
    const applying = driver.applyChanges();
    // Faults only once the doreload itself went through: they are meant for the polls after it.
    await expect.poll(() => sim.counters().reloadsStarted, { interval: 2 }).toBe(1);
    sim.faults.failNext(2, { target: 'gql' });
    await applying;
    expect(sim.counters().reloadsStarted).toBe(1);
    expect(sim.state.liveSecret('1000')).toBe(account('1000').secret);
  });

  it('a doreload that cannot be sent is unavailable (retryable)', async () => {
    const { driver } = createDriverHarness(sim);
    await driver.checkHealth();
    sim.faults.resetNext(1, { target: 'gql' });
    expect(await rejection(driver.applyChanges())).toMatchObject({ kind: 'unavailable', retryable: true });
  });
});
