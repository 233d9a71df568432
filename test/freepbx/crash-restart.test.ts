import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startSimulator, type FreepbxSimulator } from '../../tools/freepbx-sim/testing.ts';
import { createTestDatabase, testDatabaseEngine, type TestDatabase } from '../support/test-database.ts';
import { GOOD_PASSWORD, TEST_ENCRYPTION_KEY, TEST_JWT_SECRET } from '../support/test-service.ts';
import { freePort } from '../../tools/testing/free-port.ts';
import { startServiceProcess, waitUntilReady } from '../support/service-process.ts';

// The service runs as a real child process (node + tsx on src/main.ts, as `npm start` does), so it can be
// killed with SIGKILL: no graceful stop, jobs left `running`, maybe the Apply Config lease held.

/** The migrated database globalSetup dumped, unpacked where the service looks: its first start skips initdb. */
async function seedPgliteDataDir(directory: string): Promise<void> {
  const dump = inject('pgliteDump');
  if (!dump || !fs.existsSync(dump)) return;
  const client = await PGlite.create(directory, { loadDataDir: new Blob([fs.readFileSync(dump)]) });
  await client.close();
}

const killed = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });

describe('a service killed with SIGKILL in the middle of a registration burst', () => {
  let sim: FreepbxSimulator;
  let database: TestDatabase | undefined;
  let dataDir: string;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    sim = await startSimulator({ reloadDelayMs: 300 });
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crash-test-'));
    if (testDatabaseEngine === 'postgres') database = await createTestDatabase();
    else await seedPgliteDataDir(path.join(dataDir, 'pgdata'));
  });
  afterAll(async () => {
    for (const child of children) await killed(child);
    await sim?.stop();
    await database?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('restarted on the same data, makes every accepted registration active, with no duplicate or orphan extension', async () => {
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    const client = sim.clients[0]!;
    const env = {
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'warn',
      ...(database ? { DATABASE_URL: database.url! } : { DATA_DIR: dataDir }),
      JWT_SECRET_KEY: TEST_JWT_SECRET,
      CREDENTIALS_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
      FREEPBX_HOST: sim.url,
      FREEPBX_CLIENT_ID: client.clientId,
      FREEPBX_CLIENT_SECRET: client.clientSecret,
      FREEPBX_APPLY_POLL_INTERVAL_MS: '50',
      PROVISIONING_JOB_LEASE_MS: '1500',
      PROVISION_WAIT_MS: '500',
      AUTH_RATE_LIMIT_PER_MINUTE: '100000',
      EXTENSION_RANGE: '4000-4999',
    };
    const output: string[] = [];
    const first = startServiceProcess(env, output);
    children.push(first);
    await waitUntilReady(baseUrl, first, output);

    // The burst: 30 sign-ups at once; the process dies once 8 of them were answered 201.
    const emails = Array.from({ length: 30 }, (_, i) => `crash-${i}-${Date.now().toString(36)}@example.com`);
    const accepted: string[] = [];
    let killing: Promise<void> | undefined;
    await Promise.all(
      emails.map(async (email) => {
        const response = await fetch(`${baseUrl}/auth/register`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email, password: GOOD_PASSWORD }),
        }).catch(() => undefined);
        if (response?.status === 201) {
          accepted.push(email);
          if (accepted.length === 8) killing = killed(first);
        }
      }),
    );
    await killing;
    expect(first.signalCode).toBe('SIGKILL');
    expect(accepted.length).toBeGreaterThanOrEqual(8);
    expect(accepted.length).toBeLessThan(emails.length); // really killed mid-burst

    const second = startServiceProcess(env, output);
    children.push(second);
    await waitUntilReady(baseUrl, second, output);

    // Everyone the database knows (every 201, and any sign-up committed just before the kill) ends live.
    const login = async (email: string) => {
      const response = await fetch(`${baseUrl}/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password: GOOD_PASSWORD }),
      });
      return response.status === 200 ? ((await response.json()) as { access_token: string }).access_token : undefined;
    };
    const tokens = new Map<string, string>();
    for (const email of emails) {
      const token = await login(email);
      if (token) tokens.set(email, token);
    }
    for (const email of accepted) expect(tokens.has(email), `${email} got a 201 but cannot log in`).toBe(true);

    const creds = new Map<string, { username: string; password: string }>();
    await expect
      .poll(
        async () => {
          for (const [email, token] of tokens) {
            if (creds.has(email)) continue;
            const response = await fetch(`${baseUrl}/sip/credentials`, { headers: { authorization: `Bearer ${token}` } });
            if (response.status === 200) creds.set(email, (await response.json()) as { username: string; password: string });
          }
          return creds.size;
        },
        { timeout: 15_000, interval: 200 },
      )
      .toBe(tokens.size);

    const numbers = [...creds.values()].map((c) => c.username);
    expect(new Set(numbers).size).toBe(numbers.length);
    const onPbx = sim.state.extensions().map((extension) => extension.extensionId);
    expect(onPbx.sort()).toEqual([...numbers].sort());
    for (const c of creds.values()) expect(sim.state.liveSecret(c.username), `live secret of ${c.username}`).toBe(c.password);
    expect(sim.counters().maxConcurrentReloads).toBe(1);
    await killed(second);
  }, 60_000);
});
