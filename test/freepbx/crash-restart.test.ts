import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type FreepbxSimulator } from '../../tools/freepbx-sim/testing.ts';
import { freePort } from '../../tools/testing/free-port.ts';
import { exitOf, startServiceProcess, waitUntilReady } from '../support/service-process.ts';
import { createTestDatabase, testDatabaseEngine, type TestDatabase } from '../support/test-database.ts';
import { expectExactlyLiveOnPbx, inspectQueue, killed, seedPgliteDataDir, seededRandom, serviceEnv, signUp, tokensOf, waitUntilLive } from './service-processes.ts';

// The service as a real child process, killed with SIGKILL at random points of sign-up bursts and restarted
// on the same data, 20 times, on DEFAULT recovery settings: no PROVISIONING_JOB_LEASE_MS override, so a
// restart that waited for the dead process's leases (120 s) would miss every deadline below.
const RUNS = Number(process.env.CRASH_RUNS ?? 20);
const BURST = 6;
const RELOAD_MS = 300;
/** Kills land anywhere from before the first push to after the reload (pushes, reload, its completion). */
const KILL_WINDOW_MS = 2000;

describe('a service killed with SIGKILL at random points of registration bursts', () => {
  let sim: FreepbxSimulator;
  let database: TestDatabase | undefined;
  let dataDir: string;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    sim = await startSimulator({ reloadDelayMs: RELOAD_MS });
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

  it(`restarted on the same data ${RUNS} times, makes every accepted sign-up live within one reload plus 10 s, leaving no account stuck`, async () => {
    const seed = Number(process.env.CRASH_SEED ?? Date.now() % 1_000_000);
    const random = seededRandom(seed);
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    const env = serviceEnv(sim, { port, database: { url: database?.url, dataDir }, extra: { EXTENSION_RANGE: '4000-4999' } });
    const output: string[] = [];
    const start = async () => {
      const child = startServiceProcess(env, output);
      children.push(child);
      await waitUntilReady(baseUrl, child, output);
      return child;
    };

    let child = await start();
    const tokens = new Map<string, string>();
    const recoveries: number[] = [];
    const startups: number[] = [];
    for (let run = 1; run <= RUNS; run++) {
      const context = `run ${run} of ${RUNS} (CRASH_SEED=${seed})`;
      const emails = Array.from({ length: BURST }, (_, i) => `crash-${run}-${i}-${seed}@example.com`);
      const accepted: string[] = [];
      const killAfterMs = Math.floor(random() * KILL_WINDOW_MS);
      const victim = child;
      const kill = new Promise((resolve) => setTimeout(resolve, killAfterMs)).then(() => killed(victim));
      await Promise.all(emails.map(async (email) => (await signUp(baseUrl, email)) === 201 && accepted.push(email)));
      await kill;
      expect(victim.signalCode, context).toBe('SIGKILL');

      const spawnedAt = Date.now();
      child = await start();
      const restartedAt = Date.now();
      // Everyone the database knows, of this burst and every earlier one: nobody may be left behind.
      for (const [email, token] of await tokensOf(baseUrl, emails)) tokens.set(email, token);
      for (const email of accepted) expect(tokens.has(email), `${context}: ${email} got a 201 but cannot log in`).toBe(true);
      const live = await waitUntilLive(baseUrl, tokens, restartedAt + RELOAD_MS + 10_000);
      const stuck = [...tokens.keys()].filter((email) => !live.has(email));
      expect(stuck, `${context}, killed ${killAfterMs} ms into the burst: not live within one reload plus 10 s\n${output.join('')}`).toEqual([]);
      recoveries.push(Date.now() - restartedAt);
      startups.push(restartedAt - spawnedAt);
    }
    console.log(
      `kill -9 ${RUNS} times (seed ${seed}): every sign-up live at most ${Math.max(...recoveries)} ms after the restart was ready ` +
        `(restarts took ${Math.min(...startups)}–${Math.max(...startups)} ms to be ready)`,
    );

    const creds = await waitUntilLive(baseUrl, tokens, Date.now() + 5000);
    expectExactlyLiveOnPbx(sim, [...creds.values()]);
    expect(sim.counters().maxConcurrentReloads).toBe(1);

    // A graceful stop at the end, then the database itself: nothing pending, nothing claimed, no lease held.
    child.kill('SIGTERM');
    expect(await exitOf(child)).toBe(0);
    expect(await inspectQueue({ url: database?.url, dataDir })).toEqual({ notActive: 0, unfinishedJobs: 0, leaseHolder: null });
  }, 300_000);
});
