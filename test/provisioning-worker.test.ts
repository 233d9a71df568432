import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import pino from 'pino';
import { queryRows } from '../src/db/database.ts';
import { backoffDelayMs } from '../src/modules/provisioning-jobs/backoff.ts';
import { createJobsRepository } from '../src/modules/provisioning-jobs/jobs.repository.ts';
import { createProvisioningWorker } from '../src/modules/provisioning-jobs/provisioning-worker.ts';
import { createAccountProvisioning } from '../src/modules/sip-accounts/account-provisioning.ts';
import { createTestDatabase, type TestDatabase } from './support/test-database.ts';
import { createTestService, GOOD_PASSWORD, TEST_ENCRYPTION_KEY, uniqueEmail, type TestService } from './support/test-service.ts';
import { createScriptedPbx } from './support/pbx-doubles.ts';

// Tests in this file run one after another and each stops its workers: any running worker takes any job.
let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.close();
});

async function registerMany(service: TestService, count: number): Promise<string[]> {
  const responses = await Promise.all(
    Array.from({ length: count }, () =>
      service.app.inject({ method: 'POST', url: '/auth/register', payload: { email: uniqueEmail('worker'), password: GOOD_PASSWORD } }),
    ),
  );
  expect(responses.map((r) => r.statusCode).filter((s) => s !== 201)).toEqual([]);
  return responses.map((r) => r.json().sip_extension);
}

async function statusesOf(extensions: string[]): Promise<string[]> {
  const rows = await queryRows<{ status: string }>(database.handle.db, sql`select status from sip_accounts where extension in ${extensions}`);
  return rows.map((row) => row.status);
}

describe('backoff', () => {
  it('doubles per attempt up to the ceiling, with jitter within the upper half', () => {
    const options = { baseMs: 100, maxMs: 1000 };
    expect(backoffDelayMs(1, options, () => 0)).toBe(50);
    expect(backoffDelayMs(1, options, () => 1)).toBe(100);
    expect(backoffDelayMs(3, options, () => 1)).toBe(400);
    expect(backoffDelayMs(30, options, () => 1)).toBe(1000);
    expect(backoffDelayMs(30, options, () => 0)).toBe(500);
  });
});

describe('provisioning workers', () => {
  it('share the jobs of two instances on one database without running any job twice', async () => {
    const pbx = createScriptedPbx();
    const env = { PROVISION_WAIT_MS: '0', EXTENSION_RANGE: '40000-40999' };
    const a = await createTestService({ database: database.handle, env, overrides: { driver: pbx.driver } });
    const b = await createTestService({ database: database.handle, env, overrides: { driver: pbx.driver } });
    try {
      const release = pbx.hold(); // jobs pile up, so both workers find work
      const extensions = await registerMany(a, 40);
      release();
      await expect.poll(async () => (await statusesOf(extensions)).filter((s) => s === 'active').length, { timeout: 10_000 }).toBe(40);
      const creates = pbx.calls.filter((call) => call.method === 'create').map((call) => call.extension);
      expect(creates.sort()).toEqual([...extensions].sort());
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('take over a job whose worker died once its lease has run out', async () => {
    const pbx = createScriptedPbx();
    const env = { PROVISION_WAIT_MS: '0', EXTENSION_RANGE: '41000-41999' };
    const service = await createTestService({ database: database.handle, env, overrides: { driver: pbx.driver }, startWorker: false });
    try {
      const [extension] = await registerMany(service, 1);
      // A worker that claims the job and dies without a word.
      const claimed = await createJobsRepository({ db: database.handle.db }).claimDue({ workerId: 'dead-worker', limit: 10, leaseMs: 300 });
      expect(claimed.map((job) => job.extension)).toEqual([extension]);
      const survivor = createProvisioningWorker({
        db: database.handle.db,
        driver: pbx.driver,
        accounts: createAccountProvisioning({
          db: database.handle.db,
          encryptionKey: Buffer.from(TEST_ENCRYPTION_KEY, 'hex'),
          extensionRange: { first: 41000, last: 41999 },
          watch: { announce: () => {} },
        }),
        logger: pino({ level: 'silent' }),
        options: { pollIntervalMs: 50 },
      });
      survivor.start();
      try {
        await expect.poll(async () => statusesOf([extension!]), { timeout: 5000 }).toEqual(['active']);
        const [job] = await queryRows<{ attempts: number; locked_by: string }>(database.handle.db, sql`select attempts, locked_by from provisioning_jobs where extension = ${extension!}`);
        expect(job).toMatchObject({ attempts: 2, locked_by: survivor.workerId });
      } finally {
        await survivor.stop();
      }
    } finally {
      await service.close();
    }
  });

  it('coalesce the changes of two instances into few applies, never two at once', async () => {
    // An apply slower than sign-ups arrive, as FreePBX's reload is (seconds).
    const pbx = createScriptedPbx({ needsApply: true, applyMs: 400 });
    const env = { PROVISION_WAIT_MS: '0', EXTENSION_RANGE: '42000-42999' };
    const a = await createTestService({ database: database.handle, env, overrides: { driver: pbx.driver } });
    const b = await createTestService({ database: database.handle, env, overrides: { driver: pbx.driver } });
    try {
      const signUpsFrom = Date.now();
      const extensions = [...(await registerMany(a, 30)), ...(await registerMany(b, 30))];
      const signUpsTookMs = Date.now() - signUpsFrom;
      await expect.poll(async () => (await statusesOf(extensions)).filter((s) => s === 'active').length, { timeout: 15_000 }).toBe(60);
      expect(pbx.maxAppliesRunning).toBe(1);
      expect(pbx.applies).toBeGreaterThanOrEqual(1);
      // One apply at a time takes in everything pushed while the one before ran: about one per 400 ms of
      // sign-ups (hashing sets their pace, slower on a loaded machine), never one per sign-up (60).
      expect(pbx.applies).toBeLessThanOrEqual(Math.max(10, Math.ceil(signUpsTookMs / 400) + 3));
    } finally {
      await a.close();
      await b.close();
    }
  });
});
