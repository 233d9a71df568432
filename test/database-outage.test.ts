import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../tools/testing/free-port.ts';
import { startServiceProcess, waitUntilReady } from './support/service-process.ts';
import { startThrowawayPostgres, type ThrowawayPostgres } from './support/throwaway-postgres.ts';
import { TEST_ENCRYPTION_KEY, TEST_JWT_SECRET } from './support/test-service.ts';

// The service as a real process on a PostgreSQL cluster of its own, which these tests cut off and restart:
// PostgreSQL-only behaviour, so they run in both suite runs and never touch the shared server.
const PASSWORD = 'correct horse battery staple 42';
let cluster: ThrowawayPostgres;
let admin: pg.Client | undefined;
const cleanups: Array<() => Promise<void> | void> = [];

beforeAll(async () => {
  cluster = await startThrowawayPostgres();
  cleanups.push(() => cluster.remove());
  cleanups.push(() => admin?.end().catch(() => {}));
});
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** A connection for the test itself to the `postgres` database, re-opened after a restart. */
async function adminQuery<T extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<T[]> {
  if (!admin) {
    const client = new pg.Client({ connectionString: cluster.url });
    client.on('error', () => {}); // the next query fails and re-opens it
    await client.connect();
    admin = client;
  }
  try {
    return (await admin.query<T>(text, values)).rows;
  } catch (error) {
    void admin.end().catch(() => {});
    admin = undefined;
    throw error;
  }
}

interface Service {
  baseUrl: string;
  child: ChildProcess;
  output: string[];
  database: string;
}

async function startService(database: string): Promise<Service> {
  await adminQuery(`create database ${database}`);
  const port = await freePort();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vt-outage-'));
  const output: string[] = [];
  const child = startServiceProcess(
    {
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      DATABASE_URL: cluster.url.replace(/\/postgres$/, `/${database}`),
      JWT_SECRET_KEY: TEST_JWT_SECRET,
      CREDENTIALS_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
      AUTH_RATE_LIMIT_PER_MINUTE: '100000',
      LOG_LEVEL: 'warn',
    },
    output,
  );
  cleanups.push(() => {
    child.kill('SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  await waitUntilReady(baseUrl, child, output);
  return { baseUrl, child, output, database };
}

/** One sign-up; the status, or the name of the network error when the service did not answer at all. */
async function signUp(service: Service, email: string): Promise<number | string> {
  try {
    const response = await fetch(`${service.baseUrl}/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: PASSWORD }),
      signal: AbortSignal.timeout(30_000),
    });
    if (response.status !== 201) {
      const body = (await response.json()) as { code?: string };
      if (response.status === 503) expect(body.code).toBe('database_unavailable');
      if (response.status === 503) expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
    } else await response.arrayBuffer();
    return response.status;
  } catch (error) {
    return (error as Error).name;
  }
}

async function readiness(service: Service): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${service.baseUrl}/readyz`, { signal: AbortSignal.timeout(15_000) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const isAlive = (service: Service) => service.child.exitCode === null && service.child.signalCode === null;

/** Every email that got a 201 has its user in the database, and its SIP account goes live. */
async function expectAllAcceptedLive(service: Service, accepted: string[]): Promise<void> {
  const client = new pg.Client({ connectionString: cluster.url.replace(/\/postgres$/, `/${service.database}`) });
  await client.connect();
  try {
    const query = async () =>
      (
        await client.query<{ users: number; active: number }>(
          `select count(u.id)::int as users, count(s.id) filter (where s.status = 'active')::int as active
           from users u left join sip_accounts s on s.user_id = u.id where u.email = any($1)`,
          [accepted],
        )
      ).rows[0]!;
    expect((await query()).users).toBe(accepted.length);
    try {
      await expect.poll(async () => (await query()).active, { timeout: 20_000, interval: 200 }).toBe(accepted.length);
    } catch (error) {
      // Say where the ones not live are stuck: their account and jobs, and what the service logged.
      const stuck = await client.query(
        `select u.email, s.status, j.kind, j.state, j.attempts, j.locked_by, j.locked_until, j.run_at, j.last_error, now() as now
         from users u join sip_accounts s on s.user_id = u.id left join provisioning_jobs j on j.sip_account_id = s.id
         where u.email = any($1) and s.status <> 'active'`,
        [accepted],
      );
      throw new Error(`${(error as Error).message}\n${JSON.stringify(stuck.rows, null, 1)}\n${service.output.join('').slice(-4000)}`);
    }
  } finally {
    await client.end();
  }
}

/** After an outage, a sign-up is accepted again within `withinMs` (polling, not sleeping). */
async function expectSignUpsSucceedWithin(service: Service, withinMs: number, prefix: string): Promise<number> {
  const started = Date.now();
  let attempt = 0;
  while (Date.now() - started < withinMs) {
    const status = await signUp(service, `${prefix}-${attempt++}@example.com`);
    if (status === 201) return Date.now() - started;
    expect(status).toBe(503);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no sign-up succeeded within ${withinMs} ms`);
}

describe('the service when PostgreSQL drops its connections', () => {
  it('stays alive when every backend is terminated mid-burst: each sign-up gets 201 or 503 database_unavailable, every 201 goes live, later requests succeed', { timeout: 90_000 }, async () => {
    const service = await startService('outage_terminate');
    const emails = Array.from({ length: 30 }, (_, index) => `burst-${index}@example.com`);
    const burst = Promise.all(emails.map((email) => signUp(service, email)));
    let settled = false;
    void burst.then(() => (settled = true));

    // Terminate the service's backends while some are busy (a query or a transaction in flight), three times.
    let terminations = 0;
    const deadline = Date.now() + 20_000;
    while (!settled && terminations < 3 && Date.now() < deadline) {
      const busy = await adminQuery<{ busy: number }>(
        `select count(*)::int as busy from pg_stat_activity where datname = $1 and state in ('active', 'idle in transaction')`,
        [service.database],
      );
      if (busy[0]!.busy > 0) {
        await adminQuery(`select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()`, [service.database]);
        terminations += 1;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    const statuses = await burst;
    expect(terminations).toBeGreaterThan(0);

    expect(isAlive(service), service.output.join('')).toBe(true);
    expect(service.output.join('')).not.toContain("Unhandled 'error'");
    expect(statuses.filter((status) => status !== 201 && status !== 503)).toEqual([]);
    const accepted = emails.filter((_, index) => statuses[index] === 201);
    expect(accepted.length).toBeGreaterThan(0);
    await expectAllAcceptedLive(service, accepted);

    await expectSignUpsSucceedWithin(service, 10_000, 'after-terminate');
    expect(isAlive(service)).toBe(true);
  });
});

describe('the service when PostgreSQL restarts under load', () => {
  it('answers 503 database_unavailable while it is down, accepts sign-ups again within seconds, loses none it accepted, and stays alive', { timeout: 90_000 }, async () => {
    const service = await startService('outage_restart');
    // Sign-ups from six clients at once, for as long as the test runs; each outcome with the time it came.
    const outcomes: Array<{ email: string; status: number | string; startedAt: number }> = [];
    let loading = true;
    let sequence = 0;
    const client = async () => {
      while (loading) {
        const email = `restart-${sequence++}@example.com`;
        const startedAt = Date.now();
        const status = await signUp(service, email);
        outcomes.push({ email, status, startedAt });
        if (status !== 201) await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    const load = Promise.all(Array.from({ length: 6 }, client));
    const accepted = () => outcomes.filter((outcome) => outcome.status === 201);
    await expect.poll(() => accepted().length, { timeout: 20_000, interval: 50 }).toBeGreaterThanOrEqual(10);

    await cluster.ctl('stop');
    const downAt = Date.now();
    await expect.poll(() => outcomes.some((outcome) => outcome.startedAt >= downAt && outcome.status === 503), { timeout: 15_000, interval: 50 }).toBe(true);
    const whileDown = await readiness(service);
    expect(whileDown).toMatchObject({ status: 503, body: { status: 'unavailable', database: 'unreachable' } });

    await cluster.ctl('start');
    const upAt = Date.now();
    await expect.poll(() => accepted().some((outcome) => outcome.startedAt >= upAt), { timeout: 10_000, interval: 50 }).toBe(true);
    const recoveredInMs = Math.min(...accepted().filter((outcome) => outcome.startedAt >= upAt).map((outcome) => outcome.startedAt)) - upAt;
    await expect.poll(() => accepted().filter((outcome) => outcome.startedAt >= upAt).length, { timeout: 20_000, interval: 50 }).toBeGreaterThanOrEqual(10);
    loading = false;
    await load;

    expect(isAlive(service), service.output.join('')).toBe(true);
    expect(outcomes.filter((outcome) => outcome.status !== 201 && outcome.status !== 503)).toEqual([]);
    expect(recoveredInMs).toBeLessThan(10_000);
    await expectAllAcceptedLive(service, accepted().map((outcome) => outcome.email));
    await expect.poll(async () => (await readiness(service)).body, { timeout: 15_000, interval: 200 }).toMatchObject({
      status: 'ok',
      database: 'ok',
      worker: 'running',
      account_changes: 'listening',
    });
    expect(isAlive(service)).toBe(true);
  });
});
