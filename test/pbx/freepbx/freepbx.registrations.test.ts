import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { amiSettingsFor, markRegistered, startSimulator } from '../../../tools/freepbx-sim/testing.ts';
import { account, API_VERSIONS, createDriverHarness, DRIVER_RELOAD_DELAY_MS, rejection, type Sim } from '../../support/freepbx-driver-harness.ts';

const AMI_SECRET = 'ami-secret-5e1b8a90c3';

describe.each(API_VERSIONS)('FreePBX driver: registrations through the AMI (api %i)', (apiVersion) => {
  let sim: Sim;
  beforeAll(async () => {
    sim = await startSimulator({
      reloadDelayMs: DRIVER_RELOAD_DELAY_MS,
      apiVersion,
      ami: { users: [{ username: 'onboarding', secret: AMI_SECRET, write: ['system'] }] },
    });
  });
  beforeEach(() => sim.reset());
  afterAll(() => sim.stop());

  const withAmi = (overrides: { secret?: string } = {}) => createDriverHarness(sim, { ami: amiSettingsFor(sim, overrides) });

  it('without the AMI settings the driver cannot tell: it has no registrations (accounts stay active)', async () => {
    const { driver } = createDriverHarness(sim);
    expect(driver.registrations).toBeUndefined();
    expect((await driver.checkHealth()).detail).not.toContain('AMI');
    expect(sim.counters().ami?.connections).toBe(0);
  });

  it('with them, an extension we created turns up once a phone registered with it, with its User-Agent', async () => {
    const { driver } = withAmi();
    await driver.createAccount(account('1000'));
    await driver.createAccount(account('1001'));
    await driver.applyChanges();
    expect(await driver.registrations!(['1000', '1001'])).toEqual([]);

    markRegistered(sim, '1000', 'LinphoneiOS/5.2.4 (iPhone) LinphoneSDK/5.3.30', { status: 'Unreachable' });
    expect(await driver.registrations!(['1000', '1001'])).toEqual([{ extension: '1000', userAgent: 'LinphoneiOS/5.2.4 (iPhone) LinphoneSDK/5.3.30' }]);
  });

  it('a deleted extension\'s registrations are gone with it', async () => {
    const { driver } = withAmi();
    await driver.createAccount(account('1000'));
    await driver.applyChanges();
    markRegistered(sim, '1000', 'Linphone/5.2');
    await driver.deleteAccount('1000');
    expect(sim.state.contacts()).toEqual([]);
    expect(await driver.registrations!(['1000'])).toEqual([]);
  });

  it('a refused AMI login is a PbxError naming the settings, never the secret, in the error or the logs', async () => {
    const wrong = 'wrong-ami-secret-4242';
    const { driver, logLines } = withAmi({ secret: wrong });
    const error = await rejection(driver.registrations!(['1000']));
    expect(error).toMatchObject({ name: 'PbxError', kind: 'auth', message: expect.stringContaining('FREEPBX_AMI_USERNAME and FREEPBX_AMI_SECRET') });
    const health = await driver.checkHealth();
    // The API still works: the AMI is reported, never what makes the PBX unready.
    expect(health).toMatchObject({ ok: true, warning: true, detail: expect.stringContaining('AMI check failed') });
    for (const text of [error.message, health.detail, logLines.join('\n')]) {
      expect(text).not.toContain(wrong);
      expect(text).not.toContain(AMI_SECRET);
    }
  });

  it('checkHealth says the AMI is logged in to when it is', async () => {
    const { driver } = withAmi();
    const health = await driver.checkHealth();
    expect(health).toMatchObject({ ok: true, detail: expect.stringContaining(`FreePBX AMI at 127.0.0.1:${sim.ami.port}: logged in`) });
    expect(health.warning).toBeUndefined();
    expect(sim.counters().ami).toMatchObject({ logins: 1, logoffs: 1 });
  });
});
