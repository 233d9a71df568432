import { describe, expect, it } from 'vitest';
import { startSimulator } from '../../tools/freepbx-sim/testing.ts';
import { credentials, expectLiveOnPbx, freepbxForThisFile, me, registerMany, startFreepbxService, waitUntilAllLive } from './freepbx-service.ts';

// One simulator and one database per file; each test runs its own service alone, on its own
// EXTENSION_RANGE, and waits until every job is done before it ends.
const file = freepbxForThisFile();

describe('a FreePBX that fails during registration loses no one', () => {
  it('PBX down (connections refused) during registration, then back: every user becomes active', async () => {
    const svc = await startFreepbxService({ database: file.database.handle, sim: file.sim, env: { EXTENSION_RANGE: '2000-2099', PROVISION_WAIT_MS: '200' } });
    try {
      await file.sim.faults.refuseConnections();
      const users = await registerMany(svc, 3);
      for (const user of users) {
        expect(user.register.statusCode).toBe(201);
        expect(user.register.json().provisioning_status).toBe('pending');
      }
      expect((await credentials(svc, users[0]!.token)).json().code).toBe('sip_account_pending');
      await expect.poll(async () => (await me(svc, users[0]!.token)).sip_account.last_error, { timeout: 3000 }).toContain('cannot be reached');

      await file.sim.faults.acceptConnections();
      const creds = await waitUntilAllLive(svc, users);
      expectLiveOnPbx(file.sim, creds);
      expect(file.sim.counters().maxConcurrentReloads).toBe(1);
    } finally {
      await svc.close();
    }
  });

  it('an access token revoked mid-flow (while the reload is polled) is renewed and the registration completes', async () => {
    const slowSim = await startSimulator({ reloadDelayMs: 400 });
    const svc = await startFreepbxService({ database: file.database.handle, sim: slowSim, env: { EXTENSION_RANGE: '2100-2199', PROVISION_WAIT_MS: '100' } });
    try {
      const [user] = await registerMany(svc, 1);
      await expect.poll(() => slowSim.counters().reloadsRunning, { timeout: 3000, interval: 10 }).toBe(1);
      slowSim.faults.expireAllTokens();
      const creds = await waitUntilAllLive(svc, [user!]);
      expectLiveOnPbx(slowSim, creds);
      const counters = slowSim.counters();
      expect(counters.authFailures).toBeGreaterThan(0);
      expect(counters.tokenRequests).toBe(2);
      // The renewed token polled the same reload on: no second Apply Config for one change.
      expect(counters.reloadsStarted).toBe(1);
    } finally {
      await svc.close();
      await slowSim.stop();
    }
  });

  it('HTTP 5xx answers and reset connections are retried until every user is active', async () => {
    const svc = await startFreepbxService({ database: file.database.handle, sim: file.sim, env: { EXTENSION_RANGE: '2200-2299', PROVISION_WAIT_MS: '200' } });
    try {
      file.sim.faults.failNext(3, { status: 502, target: 'gql' });
      const first = await registerMany(svc, 2, 'five-hundred');
      await waitUntilAllLive(svc, first);
      file.sim.faults.resetNext(3, { target: 'gql' });
      const second = await registerMany(svc, 2, 'reset');
      const users = [...first, ...second];
      for (const user of users) expect(user.register.statusCode).toBe(201);
      const creds = await waitUntilAllLive(svc, users);
      expectLiveOnPbx(file.sim, creds);
      // The faults were really met by provisioning calls, and retried through.
      const retried = svc.logs.lines.filter((line) => line.includes('PBX call failed; will retry')).map((line) => JSON.parse(line).error);
      expect(retried).toContainEqual(expect.stringContaining('HTTP 502'));
      expect(retried).toContainEqual(expect.stringContaining('unreachable'));
    } finally {
      await svc.close();
    }
  });

  it('a reload that ends Failed is retried with a new Apply Config once FreePBX recovers', async () => {
    const svc = await startFreepbxService({ database: file.database.handle, sim: file.sim, env: { EXTENSION_RANGE: '2300-2399', PROVISION_WAIT_MS: '100' } });
    try {
      file.sim.faults.setReloadOutcome('failed', 'Reload failed: exit code 255 (simulated)');
      const users = await registerMany(svc, 2);
      await expect.poll(() => file.sim.counters().reloadsFailed, { timeout: 3000 }).toBeGreaterThan(0);
      await expect.poll(async () => (await me(svc, users[0]!.token)).sip_account.last_error, { timeout: 3000 }).toContain('failed to apply');
      expect((await credentials(svc, users[0]!.token)).statusCode).toBe(409);

      file.sim.faults.setReloadOutcome('executed');
      const creds = await waitUntilAllLive(svc, users);
      expectLiveOnPbx(file.sim, creds);
      expect(file.sim.counters()).toMatchObject({ maxConcurrentReloads: 1, reloadsExecuted: 1 });
    } finally {
      await svc.close();
    }
  });

  it('a reload stuck in Processing ends at the apply deadline; the next reload makes the users live', async () => {
    const svc = await startFreepbxService({
      database: file.database.handle,
      sim: file.sim,
      env: { EXTENSION_RANGE: '2400-2499', PROVISION_WAIT_MS: '100' },
      driver: { applyTimeoutMs: 400 },
    });
    try {
      file.sim.faults.setReloadOutcome('stuck');
      const users = await registerMany(svc, 2);
      await expect.poll(async () => (await me(svc, users[0]!.token)).sip_account.last_error, { timeout: 3000 }).toContain('took too long');
      expect((await credentials(svc, users[1]!.token)).json().code).toBe('sip_account_pending');

      file.sim.faults.setReloadOutcome('executed');
      const creds = await waitUntilAllLive(svc, users);
      expectLiveOnPbx(file.sim, creds);
      expect(file.sim.counters().reloadsExecuted).toBeGreaterThanOrEqual(1);
    } finally {
      await svc.close();
    }
  });
});
