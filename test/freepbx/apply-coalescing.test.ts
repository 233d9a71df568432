import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/db/database.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { startSimulator } from '../../tools/freepbx-sim/testing.ts';
import { expectLiveOnPbx, registerMany, startFreepbxService, waitUntilAllLive } from './freepbx-service.ts';

// Each test has its own simulator (reload delays differ) and stops its services before it ends: every
// worker on this database would otherwise take the next test's jobs.
let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.close();
});

describe('Apply Config is coalesced: one reload at a time, many extensions per reload', () => {
  it('registrations that arrive while a reload runs are all made live by the next single reload', async () => {
    // Long enough for six sign-ups (argon2id each) to be committed while it runs, on a loaded machine too.
    const sim = await startSimulator({ reloadDelayMs: 2500 });
    const svc = await startFreepbxService({ database: database.handle, sim, env: { EXTENSION_RANGE: '3000-3099', PROVISION_WAIT_MS: '0' } });
    try {
      const [first] = await registerMany(svc, 1, 'first');
      await expect.poll(() => sim.counters().reloadsRunning, { timeout: 3000, interval: 10 }).toBe(1);
      let duringReload = {};
      const during = await registerMany(svc, 6, 'during', () => {
        duringReload = { reloadsStarted: sim.counters().reloadsStarted, reloadsRunning: sim.counters().reloadsRunning };
      });
      // Precondition: every one of them was committed while that first reload was still running.
      expect(duringReload).toEqual({ reloadsStarted: 1, reloadsRunning: 1 });

      const creds = await waitUntilAllLive(svc, [first!, ...during]);
      expectLiveOnPbx(sim, creds);
      expect(sim.counters()).toMatchObject({ reloadsStarted: 2, reloadsExecuted: 2, maxConcurrentReloads: 1 });
    } finally {
      await svc.close();
      await sim.stop();
    }
  });

  it('two service instances on one database share the work and still run one reload at a time', async () => {
    const sim = await startSimulator({ reloadDelayMs: 300 });
    const env = { EXTENSION_RANGE: '3100-3199', PROVISION_WAIT_MS: '100' };
    const [a, b] = await Promise.all([
      startFreepbxService({ database: database.handle, sim, env }),
      startFreepbxService({ database: database.handle, sim, env }),
    ]);
    try {
      const users = (await Promise.all([registerMany(a, 6, 'a'), registerMany(b, 6, 'b')])).flat();
      for (const user of users) expect(user.register.statusCode).toBe(201);
      const creds = await waitUntilAllLive(a, users);
      expectLiveOnPbx(sim, creds);

      const counters = sim.counters();
      expect(counters.maxConcurrentReloads).toBe(1);
      expect(counters.reloadsStarted).toBeLessThanOrEqual(6);
      // Both workers pushed extensions to the PBX (a finished job keeps the id of the worker that ran it).
      const workers = await queryRows<{ locked_by: string }>(
        database.handle.db,
        sql`select distinct locked_by from provisioning_jobs where extension like '31__' and state = 'done'`,
      );
      expect(workers.map((row) => row.locked_by).sort()).toEqual([a.deps.worker.workerId, b.deps.worker.workerId].sort());
    } finally {
      await Promise.all([a.close(), b.close()]);
      await sim.stop();
    }
  });
});

describe('leases only expire for a dead worker', () => {
  it('a PBX call and a reload that outlast PROVISIONING_JOB_LEASE_MS are not taken over by the other live instance', async () => {
    const sim = await startSimulator({ reloadDelayMs: 1500 });
    sim.faults.setDelayMs(500); // token + addExtension + updateExtension: 1.5 s for one job, lease 1 s
    const env = { EXTENSION_RANGE: '3200-3299', PROVISION_WAIT_MS: '0', PROVISIONING_JOB_LEASE_MS: '1000' };
    const [a, b] = await Promise.all([
      startFreepbxService({ database: database.handle, sim, env }),
      startFreepbxService({ database: database.handle, sim, env }),
    ]);
    try {
      const users = await registerMany(a, 1, 'slow');
      const creds = await waitUntilAllLive(a, users);
      expectLiveOnPbx(sim, creds);
      expect(sim.counters().operations.addExtension).toBe(1);
      expect(sim.counters()).toMatchObject({ reloadsStarted: 1, maxConcurrentReloads: 1 });
    } finally {
      await Promise.all([a.close(), b.close()]);
      await sim.stop();
    }
  });
});

