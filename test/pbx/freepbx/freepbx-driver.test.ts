import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator } from '../../../tools/freepbx-sim/testing.ts';
import { provisioningMarker } from '../../../src/modules/pbx/freepbx/freepbx-driver.ts';
import { account, API_VERSIONS, createDriverHarness, rejection, DRIVER_RELOAD_DELAY_MS, type Sim } from '../../support/freepbx-driver-harness.ts';

describe.each(API_VERSIONS)('FreePBX driver: accounts against the simulator (api %i)', (apiVersion) => {
  let sim: Sim;
  beforeAll(async () => {
    sim = await startSimulator({ reloadDelayMs: DRIVER_RELOAD_DELAY_MS, apiVersion });
  });
  beforeEach(() => sim.reset());
  afterAll(() => sim.stop());

  it('a created account is live with the secret we set, only after applyChanges', async () => {
    const { driver } = createDriverHarness(sim);
    await driver.createAccount(account('1000', 'Our-Strong-Secret-1000'));
    expect(sim.state.liveSecret('1000')).toBeUndefined();
    await driver.applyChanges();
    expect(sim.state.liveSecret('1000')).toBe('Our-Strong-Secret-1000');
    const [stored] = sim.state.extensions();
    expect(stored).toMatchObject({ name: 'User 1000', email: 'u1000@example.test', umEnable: false, vmEnable: false, tech: 'pjsip' });
    expect(sim.counters().welcomeEmailsSent).toBe(0);
  });

  it('creating again after an earlier complete attempt (crash before recording it) succeeds', async () => {
    const { driver } = createDriverHarness(sim);
    await driver.createAccount(account('1000'));
    await driver.createAccount(account('1000'));
    // Each create: add (or "in use" + ownership check), update, and a read-back after each write.
    expect(sim.counters().operations).toMatchObject({ addExtension: 2, fetchExtension: 4, updateExtension: 2 });
    await driver.applyChanges();
    expect(sim.state.liveSecret('1000')).toBe(account('1000').secret);
  });

  it('an extension that belongs to someone else is extension_taken, not retryable, and left untouched', async () => {
    sim.state.seedExtension({ extensionId: '1000', name: 'Reception', secret: 'their-secret' });
    const { driver } = createDriverHarness(sim);
    const error = await rejection(driver.createAccount(account('1000')));
    expect(error).toMatchObject({ name: 'PbxError', kind: 'extension_taken', retryable: false });
    expect(sim.state.extensions()[0]).toMatchObject({ name: 'Reception', secret: 'their-secret' });
    expect(sim.counters().operations.updateExtension).toBeUndefined();
  });

  it('an earlier attempt of ours that stopped between add and update is finished, not orphaned', async () => {
    const { driver } = createDriverHarness(sim);
    const ours = account('1000');
    // What addExtension left behind: our marker as name, FreePBX's own generated secret.
    sim.state.seedExtension({ extensionId: '1000', name: provisioningMarker(ours), secret: 'generated-by-freepbx' });
    await driver.createAccount(ours);
    await driver.applyChanges();
    expect(sim.state.liveSecret('1000')).toBe(ours.secret);
    expect(sim.state.extensions()[0]).toMatchObject({ name: ours.displayName });
  });

  it('a half-made extension without our marker is someone else\'s: extension_taken', async () => {
    const { driver } = createDriverHarness(sim);
    sim.state.seedExtension({ extensionId: '1000', name: 'User 1000', secret: 'generated-by-freepbx' });
    expect(await rejection(driver.createAccount(account('1000')))).toMatchObject({ kind: 'extension_taken' });
  });

  it('updateAccount sets a new secret and keeps the fields we own', async () => {
    const { driver } = createDriverHarness(sim);
    await driver.createAccount(account('1000', 'first-secret-aaaa'));
    await driver.updateAccount({ ...account('1000', 'second-secret-bbbb'), displayName: 'Renamed' });
    await driver.applyChanges();
    expect(sim.state.liveSecret('1000')).toBe('second-secret-bbbb');
    expect(sim.state.extensions()[0]).toMatchObject({ name: 'Renamed', email: 'u1000@example.test', umEnable: false, vmEnable: false });
  });

  it('an update sends every field we own, so FreePBX\'s delete-and-re-create leaves the extension as the create made it', async () => {
    const { driver } = createDriverHarness(sim);
    await driver.createAccount(account('1000', 'first-secret-aaaa'));
    const { secret: _first, changedAt: _a, ...created } = sim.state.extensions()[0]!;
    await driver.updateAccount(account('1000', 'second-secret-bbbb'));
    const { secret, changedAt: _b, ...updated } = sim.state.extensions()[0]!;
    expect(secret).toBe('second-secret-bbbb');
    expect(updated).toEqual(created);
    expect(updated).toMatchObject({ umEnable: false, vmEnable: false, outboundCid: '', emergencyCid: '', tech: 'pjsip' });
    expect(sim.counters().welcomeEmailsSent).toBe(0);
  });

  it('updateAccount re-creates an extension that disappeared from the PBX', async () => {
    const { driver } = createDriverHarness(sim);
    await driver.updateAccount(account('1000'));
    await driver.applyChanges();
    expect(sim.state.liveSecret('1000')).toBe(account('1000').secret);
  });

  it('deleteAccount removes the extension and succeeds when it is already gone', async () => {
    const { driver } = createDriverHarness(sim);
    await driver.createAccount(account('1000'));
    await driver.deleteAccount('1000');
    await driver.deleteAccount('1000');
    expect(sim.state.extensions()).toEqual([]);
  });

  it('the licence limit is a rejected, non-retryable failure', async () => {
    sim.faults.setLicenceLimit(0);
    const { driver } = createDriverHarness(sim);
    const error = await rejection(driver.createAccount(account('1000')));
    expect(error).toMatchObject({ kind: 'rejected', retryable: false, message: expect.stringContaining('licence limit') });
  });

  it('checkHealth reports a reachable PBX, and an unreachable one without throwing', async () => {
    const { driver } = createDriverHarness(sim);
    expect(await driver.checkHealth()).toMatchObject({ ok: true });
    await sim.faults.refuseConnections();
    try {
      const { driver: fresh } = createDriverHarness(sim);
      expect(await fresh.checkHealth()).toMatchObject({ ok: false, detail: expect.stringContaining('unreachable') });
    } finally {
      await sim.faults.acceptConnections();
    }
  });
});
