import { sql } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/db/database.ts';
import { createApplyLeaseRepository } from '../src/modules/provisioning-jobs/apply-lease.repository.ts';
import { createJobsRepository } from '../src/modules/provisioning-jobs/jobs.repository.ts';
import { createScriptedPbx } from './support/pbx-doubles.ts';
import { createPostgresTestDatabase, createTestDatabase, type TestDatabase } from './support/test-database.ts';
import { createTestService, registerAndLogin, type TestService } from './support/test-service.ts';

// A claim's holder is known dead at once, not after its lease (120 s by default, never shortened here).
const LEASE_MS = 120_000;
const env = { PROVISION_WAIT_MS: '0', PROVISIONING_JOB_LEASE_MS: String(LEASE_MS) };

async function claimedBy(service: TestService, database: TestDatabase, holder: string) {
  const user = await registerAndLogin(service.app);
  const claimed = await createJobsRepository({ db: database.handle.db }).claimDue({ workerId: holder, limit: 10, leaseMs: LEASE_MS });
  expect(claimed).toHaveLength(1);
  return user;
}
const jobOf = async (database: TestDatabase, email: string) =>
  (await queryRows<{ state: string; locked_by: string | null; status: string }>(database.handle.db, sql`
    select j.state, j.locked_by, a.status from provisioning_jobs j join sip_accounts a on a.id = j.sip_account_id
    join users u on u.id = a.user_id where u.email = ${email}`))[0]!;

describe('on the suite engine, a job left running with its lease far from run out', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => database?.close());

  it('is taken over as soon as a worker starts when its holder\'s process is gone', async () => {
    const service = await createTestService({ database: database.handle, env, overrides: { driver: createScriptedPbx().driver }, startWorker: false });
    try {
      const user = await claimedBy(service, database, 'worker-of-a-killed-process');
      service.deps.worker.start();
      await expect.poll(async () => (await jobOf(database, user.email)).status, { timeout: 5000 }).toBe('active');
      expect(await jobOf(database, user.email)).toMatchObject({ state: 'done', locked_by: service.deps.worker.workerId });
    } finally {
      await service.close();
    }
  });

  it('is taken again by its own worker at its next round when the worker lost the answer to its claim', async () => {
    const service = await createTestService({ database: database.handle, env, overrides: { driver: createScriptedPbx().driver }, startWorker: false });
    try {
      // The claim committed under this worker's id, but the answer never reached it (the connection dropped):
      // the worker is alive, so neither liveness nor the lease (two minutes off) frees the job.
      const user = await claimedBy(service, database, service.deps.worker.workerId);
      service.deps.worker.start();
      await expect.poll(async () => (await jobOf(database, user.email)).status, { timeout: 5000 }).toBe('active');
      expect(await jobOf(database, user.email)).toMatchObject({ state: 'done', locked_by: service.deps.worker.workerId });
    } finally {
      await service.close();
    }
  });
});

describe('on the suite engine, the Apply Config lease', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => database?.close());

  it('is taken again by the worker that still holds it (its release was lost), and by no other live worker', async () => {
    const lease = createApplyLeaseRepository({ db: database.handle.db });
    expect(await lease.acquire({ holder: 'worker-a', leaseMs: LEASE_MS })).toBeDefined();
    // worker-a's release never reached the database: the lease is still its own, two minutes from running out.
    expect(await lease.acquire({ holder: 'worker-b', leaseMs: LEASE_MS })).toBeUndefined();
    expect(await lease.acquire({ holder: 'worker-a', leaseMs: LEASE_MS })).toBeDefined();
  });
});

describe('on PostgreSQL, a worker liveness lock', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createPostgresTestDatabase();
  });
  afterAll(async () => database?.close());

  it('keeps a live holder\'s claim, and frees it within seconds of that holder\'s session ending', async () => {
    const service = await createTestService({ database: database.handle, env, overrides: { driver: createScriptedPbx().driver }, startWorker: false });
    // Another instance's worker: alive while its session holds its lock (worker-liveness.ts's key).
    const other = new pg.Client({ connectionString: database.url });
    await other.connect();
    try {
      await other.query(`select pg_advisory_lock(7342003, hashtext('worker-of-another-instance'))`);
      const user = await claimedBy(service, database, 'worker-of-another-instance');
      service.deps.worker.start();
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(await jobOf(database, user.email)).toMatchObject({ state: 'running', locked_by: 'worker-of-another-instance' });

      await other.end(); // the other instance dies: its session, and so its lock, is gone
      const diedAt = Date.now();
      await expect.poll(async () => (await jobOf(database, user.email)).status, { timeout: 5000 }).toBe('active');
      expect(Date.now() - diedAt).toBeLessThan(5000);
    } finally {
      await other.end().catch(() => {});
      await service.close();
    }
  });
});
