import { describe, expect, it } from 'vitest';
import { registerAndLogin } from '../support/test-service.ts';
import { startSimulator } from '../../tools/freepbx-sim/testing.ts';
import { credentials, expectLiveOnPbx, freepbxForThisFile, me, startFreepbxService, waitUntilAllLive } from './freepbx-service.ts';

// One simulator and one database per file; each test runs its own service (so its own worker) alone, on
// its own EXTENSION_RANGE, and leaves no job unfinished.
const file = freepbxForThisFile();

describe('registration against FreePBX', () => {
  it('answers active when the Apply Config finishes within PROVISION_WAIT_MS, with the secret live on the PBX', async () => {
    const svc = await startFreepbxService({ database: file.database.handle, sim: file.sim, env: { EXTENSION_RANGE: '1000-1099' } });
    try {
      const { register, token } = await registerAndLogin(svc.app);
      expect(register.statusCode).toBe(201);
      expect(register.json()).toMatchObject({ sip_extension: '1000', provisioning_status: 'active' });

      const response = await credentials(svc, token);
      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({ username: '1000', auth_username: '1000', domain: 'sip.test.local' });
      expectLiveOnPbx(file.sim, [response.json()]);
      // Our own CSPRNG secret, not FreePBX's md5(uniqid()) one, and no User Manager welcome email.
      expect(response.json().password).not.toMatch(/^[0-9a-f]{32}$/);
      expect(file.sim.counters().welcomeEmailsSent).toBe(0);
      expect(file.sim.counters()).toMatchObject({ reloadsStarted: 1, maxConcurrentReloads: 1 });
    } finally {
      await svc.close();
    }
  });

  it('answers pending when the reload outlasts PROVISION_WAIT_MS; credentials go from 409 sip_account_pending to 200 once live', async () => {
    const slowSim = await startSimulator({ reloadDelayMs: 800 });
    const svc = await startFreepbxService({ database: file.database.handle, sim: slowSim, env: { EXTENSION_RANGE: '1100-1199', PROVISION_WAIT_MS: '200' } });
    try {
      const { register, token } = await registerAndLogin(svc.app);
      expect(register.statusCode).toBe(201);
      expect(register.json().provisioning_status).toBe('pending');

      const pending = await credentials(svc, token);
      expect(pending.statusCode).toBe(409);
      expect(pending.json().code).toBe('sip_account_pending');
      expect(slowSim.state.liveSecret(register.json().sip_extension)).toBeUndefined();

      const [live] = await waitUntilAllLive(svc, [{ register, token } as never]);
      expect(live!.username).toBe(register.json().sip_extension);
      expectLiveOnPbx(slowSim, [live!]);
      expect((await me(svc, token)).sip_account).toMatchObject({ status: 'active', last_error: null });
    } finally {
      await svc.close();
      await slowSim.stop();
    }
  });

  it('never touches an extension someone else made on the PBX: reserves it and gives the user the next free number', async () => {
    const foreign = file.sim.state.seedExtension({ extensionId: '1200', name: 'Reception', secret: 'reception-desk-secret' });
    const svc = await startFreepbxService({ database: file.database.handle, sim: file.sim, env: { EXTENSION_RANGE: '1200-1299' } });
    try {
      const first = await registerAndLogin(svc.app);
      expect(first.register.statusCode).toBe(201);
      const [firstCreds] = await waitUntilAllLive(svc, [first]);
      expect(firstCreds!.username).toBe('1201');
      expect(first.register.json()).toMatchObject({ sip_extension: '1201', provisioning_status: 'active' });
      expect((await me(svc, first.token)).sip_account).toMatchObject({ extension: '1201', status: 'active' });

      // The reserved number is never handed out again.
      const second = await registerAndLogin(svc.app);
      const [secondCreds] = await waitUntilAllLive(svc, [second]);
      expect(secondCreds!.username).toBe('1202');

      expect(file.sim.state.extensions().find((e) => e.extensionId === '1200')).toMatchObject({
        name: 'Reception',
        secret: 'reception-desk-secret',
        owner: 'someone-else',
        changedAt: foreign.changedAt,
      });
      expect(file.sim.state.liveSecret('1200')).toBe('reception-desk-secret');
      expect(file.sim.counters().operations).not.toHaveProperty('deleteExtension');
      expectLiveOnPbx(file.sim, [firstCreds!, secondCreds!]);
    } finally {
      await svc.close();
    }
  });
});
