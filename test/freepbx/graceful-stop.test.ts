import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type FreepbxSimulator } from '../../tools/freepbx-sim/testing.ts';
import { freePort } from '../../tools/testing/free-port.ts';
import { exitOf, startServiceProcess, waitUntilReady } from '../support/service-process.ts';
import { createTestDatabase, testDatabaseEngine, type TestDatabase } from '../support/test-database.ts';
import { inspectQueue, killed, runningJobs, seedPgliteDataDir, serviceEnv, signUp, tokensOf, waitUntilLive } from './service-processes.ts';

// SIGTERM (as an orchestrator stops a container) while the worker has work in hand: the process must
// stop claiming, finish or hand back what it holds within its deadline, and exit 0 before main.ts's forced
// exit (15 s), leaving no job `running` and no apply lease held for a lease to expire.
describe('a service stopped with SIGTERM while its worker has work in hand', () => {
  let sim: FreepbxSimulator;
  let database: TestDatabase | undefined;
  let dataDir: string;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    sim = await startSimulator({ reloadDelayMs: 150 });
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sigterm-test-'));
    if (testDatabaseEngine === 'postgres') database = await createTestDatabase();
    else await seedPgliteDataDir(path.join(dataDir, 'pgdata'));
  });
  afterEach(async () => {
    for (const child of children.splice(0)) await killed(child);
    sim.reset();
  });
  afterAll(async () => {
    await sim?.stop();
    await database?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  async function startService(port: number, extra: Record<string, string> = {}) {
    const output: string[] = [];
    const child = startServiceProcess(serviceEnv(sim, { port, database: { url: database?.url, dataDir }, extra: { LOG_LEVEL: 'info', ...extra } }), output);
    children.push(child);
    await waitUntilReady(`http://127.0.0.1:${port}`, child, output);
    return { child, output };
  }

  const stopGracefully = async (child: ChildProcess) => {
    const started = Date.now();
    child.kill('SIGTERM');
    const exit = await exitOf(child);
    return { exit, ms: Date.now() - started };
  };

  it('hands back jobs whose PBX calls hang, and the next start makes them live at once', async () => {
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    // Every FreePBX call hangs far beyond the stop deadline: the jobs stay in hand.
    const { child, output } = await startService(port, { FREEPBX_REQUEST_TIMEOUT_MS: '120000', EXTENSION_RANGE: '5000-5099' });
    sim.faults.setDelayMs(120_000);
    const emails = Array.from({ length: 3 }, (_, i) => `sigterm-jobs-${i}-${Date.now()}@example.com`);
    expect(await Promise.all(emails.map((email) => signUp(baseUrl, email)))).toEqual([201, 201, 201]);
    await new Promise((resolve) => setTimeout(resolve, 500)); // the worker has claimed them and is calling FreePBX

    const stopped = await stopGracefully(child);
    expect(stopped.exit, output.join('')).toBe(0);
    expect(output.join('')).toContain('handed back the work still in hand');
    expect(await inspectQueue({ url: database?.url, dataDir })).toMatchObject({ notActive: 3, unfinishedJobs: 3, leaseHolder: null });
    expect(await runningCount()).toBe(0);

    // Nothing is left for a lease (120 s by default) to expire: the next start takes the jobs at once.
    sim.faults.clear();
    const restartedAt = Date.now();
    await startService(port, { EXTENSION_RANGE: '5000-5099' });
    const live = await waitUntilLive(baseUrl, await tokensOf(baseUrl, emails), Date.now() + 10_000);
    expect(live.size).toBe(3);
    console.log(`SIGTERM with jobs in hand: exit 0 after ${stopped.ms} ms; live ${Date.now() - restartedAt} ms after the restart began`);
  }, 90_000);

  it('frees the Apply Config lease when a reload is still running at the deadline', async () => {
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    const { child, output } = await startService(port, { EXTENSION_RANGE: '5100-5199' });
    sim.faults.setReloadOutcome('stuck'); // FreePBX/api#15: the reload stays Processing for ever
    expect(await signUp(baseUrl, `sigterm-reload-${Date.now()}@example.com`)).toBe(201);
    await expect.poll(() => sim.counters().reloadsRunning, { timeout: 10_000 }).toBe(1);

    const stopped = await stopGracefully(child);
    expect(stopped.exit, output.join('')).toBe(0);
    expect(await inspectQueue({ url: database?.url, dataDir })).toMatchObject({ leaseHolder: null });
    expect(await runningCount()).toBe(0);
  }, 60_000);

  const runningCount = () => runningJobs({ url: database?.url, dataDir });
});
