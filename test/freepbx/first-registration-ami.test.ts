import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { amiSettingsFor, markRegistered, startSimulator, type FreepbxSimulator } from '../../tools/freepbx-sim/testing.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { registerAndLogin } from '../support/test-service.ts';
import { me, SERVICE_RELOAD_DELAY_MS, startFreepbxService } from './freepbx-service.ts';

// The whole service on the FreePBX simulator with its AMI: the registration watch, the real FreePBX driver
// reading PJSIPShowRegistrationInboundContactStatuses, and GET /auth/me.
let database: TestDatabase;
let sim: FreepbxSimulator;
beforeAll(async () => {
  [database, sim] = await Promise.all([createTestDatabase(), startSimulator({ reloadDelayMs: SERVICE_RELOAD_DELAY_MS, ami: {} })]);
});
beforeEach(() => sim.reset());
afterAll(async () => {
  await sim?.stop();
  await database?.close();
});

describe('first registration seen, on FreePBX through the AMI', () => {
  it('turns the account from active to registered with the phone\'s User-Agent once the PBX has the phone registered', async () => {
    const svc = await startFreepbxService({ database: database.handle, sim, env: { EXTENSION_RANGE: '1000-1099' }, driver: { ami: amiSettingsFor(sim) } });
    try {
      const { register, token } = await registerAndLogin(svc.app);
      expect(register.json()).toMatchObject({ provisioning_status: 'active' });
      const extension: string = register.json().sip_extension;
      const watch = svc.deps.registrationWatch!;
      expect(watch).toBeDefined();

      expect(await watch.checkOnce()).toBe(0);
      expect((await me(svc, token)).sip_account).toMatchObject({ status: 'active', registered_at: null, user_agent: null });

      markRegistered(sim, extension, 'LinphoneAndroid/5.2.5 (Pixel 7) LinphoneSDK/5.3.47');
      expect(await watch.checkOnce()).toBe(1);
      expect((await me(svc, token)).sip_account).toMatchObject({
        extension,
        status: 'registered',
        user_agent: 'LinphoneAndroid/5.2.5 (Pixel 7) LinphoneSDK/5.3.47',
        registered_at: expect.any(String),
      });
      expect(svc.logs.text).not.toContain(sim.ami.users[0]!.secret);
    } finally {
      await svc.close();
    }
  });

  it('without the AMI settings the service has no registration watch for FreePBX: accounts stay active', async () => {
    const svc = await startFreepbxService({ database: database.handle, sim, env: { EXTENSION_RANGE: '1100-1199' } });
    try {
      const { register, token } = await registerAndLogin(svc.app);
      markRegistered(sim, register.json().sip_extension, 'Linphone/5.2');
      expect(svc.deps.registrationWatch).toBeUndefined();
      expect((await me(svc, token)).sip_account).toMatchObject({ status: 'active', registered_at: null });
      expect(sim.counters().ami?.connections).toBe(0);
    } finally {
      await svc.close();
    }
  });
});
