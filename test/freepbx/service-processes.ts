import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { expect, inject } from 'vitest';
import type { FreepbxSimulator } from '../../tools/freepbx-sim/testing.ts';
import { GOOD_PASSWORD, TEST_ENCRYPTION_KEY, TEST_JWT_SECRET } from '../support/test-service.ts';

// Helpers for tests that run the service as real child processes against the FreePBX simulator, so it can
// be killed with SIGKILL (no graceful stop: jobs left `running`, maybe the Apply Config lease held) or
// stopped with SIGTERM.

/** The migrated database globalSetup dumped, unpacked where the service looks: its first start skips initdb. */
export async function seedPgliteDataDir(directory: string): Promise<void> {
  const dump = inject('pgliteDump');
  if (!dump || !fs.existsSync(dump)) return;
  const client = await PGlite.create(directory, { loadDataDir: new Blob([fs.readFileSync(dump)]) });
  await client.close();
}

export const killed = (child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL') =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill(signal);
  });

/**
 * The service's environment against `sim`: only what a test cannot do without. Recovery settings
 * (PROVISIONING_JOB_LEASE_MS and the like) stay at their defaults.
 */
export function serviceEnv(sim: FreepbxSimulator, { port, database, extra = {} }: { port: number; database: { url?: string; dataDir?: string }; extra?: Record<string, string> }) {
  const client = sim.clients[0]!;
  return {
    HOST: '127.0.0.1',
    PORT: String(port),
    LOG_LEVEL: 'warn',
    ...(database.url ? { DATABASE_URL: database.url } : { DATA_DIR: database.dataDir! }),
    JWT_SECRET_KEY: TEST_JWT_SECRET,
    CREDENTIALS_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
    FREEPBX_HOST: sim.url,
    FREEPBX_CLIENT_ID: client.clientId,
    FREEPBX_CLIENT_SECRET: client.clientSecret,
    FREEPBX_APPLY_POLL_INTERVAL_MS: '50',
    PROVISION_WAIT_MS: '300',
    AUTH_RATE_LIMIT_PER_MINUTE: '100000',
    ...extra,
  };
}

const post = (url: string, body: unknown) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

/** POST /auth/register; undefined when the process died before answering. */
export const signUp = (baseUrl: string, email: string) =>
  post(`${baseUrl}/auth/register`, { email, password: GOOD_PASSWORD }).then((r) => r.status, () => undefined);

/** A token for every one of `emails` the service knows (a sign-up committed just before a kill counts too). */
export async function tokensOf(baseUrl: string, emails: string[]): Promise<Map<string, string>> {
  const tokens = new Map<string, string>();
  for (const email of emails) {
    const response = await post(`${baseUrl}/auth/login`, { email, password: GOOD_PASSWORD });
    if (response.status === 200) tokens.set(email, ((await response.json()) as { access_token: string }).access_token);
  }
  return tokens;
}

/** Polls until every token's GET /sip/credentials answers 200, or `deadline` (epoch ms) passes. */
export async function waitUntilLive(baseUrl: string, tokens: Map<string, string>, deadline: number) {
  const live = new Map<string, { username: string; password: string }>();
  for (;;) {
    for (const [email, token] of tokens) {
      if (live.has(email)) continue;
      const response = await fetch(`${baseUrl}/sip/credentials`, { headers: { authorization: `Bearer ${token}` } });
      if (response.status === 200) live.set(email, (await response.json()) as { username: string; password: string });
    }
    if (live.size === tokens.size || Date.now() > deadline) return live;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Every live account is on the PBX with the secret the API hands out, once, and nothing else of ours is. */
export function expectExactlyLiveOnPbx(sim: FreepbxSimulator, creds: { username: string; password: string }[]) {
  const numbers = creds.map((c) => c.username);
  expect(new Set(numbers).size).toBe(numbers.length);
  expect(sim.state.extensions().map((extension) => extension.extensionId).sort()).toEqual([...numbers].sort());
  for (const c of creds) expect(sim.state.liveSecret(c.username), `live secret of ${c.username}`).toBe(c.password);
}

/** A small seeded generator (mulberry32): a failing run can be replayed with its seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * What the database says once the service is stopped: accounts not active, jobs not finished, jobs still
 * claimed (`running`) and the apply lease's holder. PGlite's data directory is read only after the process exited.
 */
export async function inspectQueue({ url, dataDir }: { url?: string; dataDir: string }) {
  const query = `select
    (select count(*)::int from sip_accounts where status <> 'active') as "notActive",
    (select count(*)::int from provisioning_jobs where state not in ('done', 'failed')) as "unfinishedJobs",
    (select holder from pbx_apply_lease where id = 1) as "leaseHolder"`;
  return (await queryOnce({ url, dataDir }, query))[0] as { notActive: number; unfinishedJobs: number; leaseHolder: string | null };
}

export async function runningJobs({ url, dataDir }: { url?: string; dataDir: string }): Promise<number> {
  const [row] = await queryOnce({ url, dataDir }, `select count(*)::int as running from provisioning_jobs where state = 'running'`);
  return (row as { running: number }).running;
}

export async function queryOnce({ url, dataDir }: { url?: string; dataDir: string }, query: string): Promise<unknown[]> {
  if (url) {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query(query)).rows;
    } finally {
      await client.end();
    }
  }
  const client = await PGlite.create(path.join(dataDir, 'pgdata'));
  try {
    return (await client.query(query)).rows;
  } finally {
    await client.close();
  }
}
