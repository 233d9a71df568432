import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.ts';
import { createMailRepository } from '../../src/modules/mail/mail.repository.ts';
import { createMailWorker } from '../../src/modules/mail/mail-worker.ts';
import { generateToken } from '../../src/shared/crypto.ts';
import { mailRow } from '../support/mail-rows.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { createTestService, uniqueEmail, type TestService } from '../support/test-service.ts';

// A claimed mail is freed at once, not after its lease (five minutes by default, never shortened here).
const LEASE_MS = 5 * 60_000;
const BASE = 'https://voip.example.com';
const EVENTUALLY = { timeout: 10_000 };

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => database?.close());

async function queueResetMail(service: TestService): Promise<string> {
  const { deps } = service;
  return deps.database.db.transaction((tx) =>
    deps.mail.enqueue(tx, { to: uniqueEmail('claims'), template: 'reset-password', params: { url: `${BASE}/reset#${generateToken()}`, validForMinutes: 30 } }),
  );
}

const claimAs = async (db: Database, workerId: string) =>
  createMailRepository({ db }).claimDue({ workerId, limit: 100, leaseMs: LEASE_MS });

describe('on the suite engine, a mail left sending with its lease far from run out', () => {
  let service: TestService;
  beforeAll(async () => {
    service = await createTestService({ database: database.handle, env: { PUBLIC_BASE_URL: `${BASE}/` }, startWorker: false });
  });
  afterAll(async () => service?.close());

  it('is sent as soon as a mail worker starts when its holder\'s process is gone', async () => {
    const id = await queueResetMail(service);
    expect((await claimAs(database.handle.db, 'mail-of-a-killed-process')).map((mail) => mail.id)).toContain(id);
    service.deps.mail.start();
    await expect.poll(async () => (await mailRow(database.handle.db, id))?.state, EVENTUALLY).toBe('sent');
    expect((await mailRow(database.handle.db, id))!.attempts).toBe(2);
  });

  it('is taken again by its own worker at its next round when the worker lost the answer to its claim', async () => {
    await service.deps.mail.stop();
    const id = await queueResetMail(service);
    // The claim committed under the worker's own id, but the answer never reached it: the worker is alive, so
    // neither its liveness nor the lease frees the mail.
    expect((await claimAs(database.handle.db, service.deps.mail.workerId)).map((mail) => mail.id)).toContain(id);
    service.deps.mail.start();
    await expect.poll(async () => (await mailRow(database.handle.db, id))?.state, EVENTUALLY).toBe('sent');
  });
});

describe('a mail worker whose database drops the connection right after a delivery', () => {
  it('records the mail sent once the database answers again, and never delivers it twice', async () => {
    const service = await createTestService({ database: database.handle, env: { PUBLIC_BASE_URL: `${BASE}/` }, startWorker: false });
    const id = await queueResetMail(service);
    await service.close();

    // The next write after a delivery (marking it sent) fails as a dropped connection does, twice.
    let failWrites = 0;
    const db = new Proxy(database.handle.db, {
      get(target, name, receiver) {
        if (name === 'update' && failWrites > 0) {
          failWrites -= 1;
          const dropped = Object.assign(new Error('Connection terminated unexpectedly'), { code: 'ECONNRESET' });
          return () => ({ set: () => ({ where: () => ({ returning: () => Promise.reject(dropped) }) }) });
        }
        return Reflect.get(target, name, receiver);
      },
    });
    const delivered: string[] = [];
    const worker = createMailWorker({
      db,
      deliver: async (mail) => {
        delivered.push(mail.id);
        failWrites = 2;
      },
      logger: pino({ level: 'silent' }),
      options: { pollIntervalMs: 20 },
    });
    worker.start();
    try {
      await expect.poll(async () => (await mailRow(database.handle.db, id))?.state, EVENTUALLY).toBe('sent');
      // Another round or two of the loop: a mail left claimed would be delivered again by now.
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(delivered.filter((mailId) => mailId === id)).toEqual([id]);
    } finally {
      await worker.stop();
    }
  });
});

describe('a mail worker whose outcome writes fail for another reason than a lost connection', () => {
  it('pauses between rounds instead of taking the same mail again and again', async () => {
    const service = await createTestService({ database: database.handle, env: { PUBLIC_BASE_URL: `${BASE}/` }, startWorker: false });
    const id = await queueResetMail(service);
    await service.close();

    // Claims (state `sending`) go through; every outcome (sent, queued, failed) is refused.
    const db = new Proxy(database.handle.db, {
      get(target, name, receiver) {
        if (name !== 'update') return Reflect.get(target, name, receiver);
        return (table: Parameters<Database['update']>[0]) => {
          const real = target.update(table);
          return {
            set: (values: { state?: string }) =>
              values.state === 'sending' ? real.set(values as never) : { where: () => ({ returning: () => Promise.reject(new Error('new row violates check constraint')) }) },
          };
        };
      },
    });
    let deliveries = 0;
    const worker = createMailWorker({
      db,
      deliver: async () => {
        deliveries += 1;
        await new Promise((resolve) => setImmediate(resolve)); // a real send yields to the event loop
      },
      logger: pino({ level: 'silent' }),
      // A batch of one comes back full every time: without a pause after a failure the loop would not wait.
      options: { pollIntervalMs: 200, batchSize: 1 },
    });
    worker.start();
    try {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect(deliveries).toBeGreaterThanOrEqual(1);
      expect(deliveries).toBeLessThanOrEqual(8);
    } finally {
      await worker.stop();
    }
    expect((await mailRow(database.handle.db, id))?.state).toBe('sending');
  });
});
