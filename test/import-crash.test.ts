import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../tools/testing/free-port.ts';
import { exitOf, startServiceProcess, waitUntilReady } from './support/service-process.ts';
import { createTestDatabase, testDatabaseEngine, type TestDatabase } from './support/test-database.ts';
import { killed, queryOnce, seedPgliteDataDir } from './freepbx/service-processes.ts';
import { TEST_ENCRYPTION_KEY, TEST_JWT_SECRET } from './support/test-service.ts';

// A CSV import whose process dies half-way: `voip-onboarding import` (the CLI, which creates the rows itself)
// is killed with SIGKILL after it reported some rows handled; the service started next on the same data
// finds the import abandoned (its runner holds no liveness) and finishes it. Every row's user exists once,
// with one invitation, and every account goes live. The PBX is `none`: what is under test is the import's
// own recovery (the jobs' is proven against the FreePBX simulator in test/freepbx/crash-restart.test.ts).
const ROWS = 600;
const root = path.resolve(import.meta.dirname, '..');

/** Queued and running provisioning jobs, from GET /metrics (the embedded database is the service's alone while it runs). */
async function unfinishedJobs(baseUrl: string): Promise<number> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const counts = [...text.matchAll(/provisioning_queue_jobs\{state="(?:queued|running)"\} (\d+)/g)].map((match) => Number(match[1]));
  return counts.length === 2 ? counts[0]! + counts[1]! : Number.NaN;
}

describe('an import whose process was killed half-way', () => {
  let database: TestDatabase | undefined;
  let dataDir: string;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'import-crash-'));
    if (testDatabaseEngine === 'postgres') database = await createTestDatabase();
    else await seedPgliteDataDir(path.join(dataDir, 'pgdata'));
  });
  afterAll(async () => {
    for (const child of children) await killed(child);
    await database?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('is resumed by the next service start: every row created once, invited once, every account live', async () => {
    const port = await freePort();
    const env = {
      HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'info', LOG_FORMAT: 'json', PBX_DRIVER: 'none', EXTENSION_RANGE: '6000-6999',
      JWT_SECRET_KEY: TEST_JWT_SECRET, CREDENTIALS_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
      ...(database ? { DATABASE_URL: database.url! } : { DATA_DIR: dataDir }),
    };
    const csv = path.join(dataDir, 'staff.csv');
    const emails = Array.from({ length: ROWS }, (_, i) => `staff-${i}@import-crash.example`);
    fs.writeFileSync(csv, `email,display_name\n${emails.map((email, i) => `${email},Staff ${i}`).join('\n')}\n`);

    const cliOutput: string[] = [];
    const cli = spawn(process.execPath, [path.join(root, 'bin/voip-onboarding.js'), 'import', csv], {
      cwd: dataDir, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? os.tmpdir(), ...env }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(cli);
    // Killed at its first progress line past zero: some rows are created, most are not.
    const handledAtKill = await new Promise<number>((resolve, reject) => {
      cli.stderr.on('data', (chunk: Buffer) => cliOutput.push(chunk.toString()));
      cli.stdout.on('data', (chunk: Buffer) => {
        cliOutput.push(chunk.toString());
        const handled = /(\d+)\/\d+ rows handled/.exec(chunk.toString());
        if (handled && Number(handled[1]) > 0) {
          cli.kill('SIGKILL');
          resolve(Number(handled[1]));
        }
      });
      cli.once('exit', () => reject(new Error(`the import finished before it could be killed:\n${cliOutput.join('')}`)));
    });
    await exitOf(cli);
    expect(handledAtKill).toBeLessThan(ROWS);

    const output: string[] = [];
    const service = startServiceProcess(env, output);
    children.push(service);
    await waitUntilReady(`http://127.0.0.1:${port}`, service, output);
    await expect.poll(() => output.join('').includes('Resuming a user import whose runner is gone'), { timeout: 10_000 }).toBe(true);
    await expect.poll(() => output.join('').includes('User import done'), { timeout: 60_000, interval: 200 }).toBe(true);
    // The released jobs make the accounts live (the `none` PBX takes them at once): wait for an empty queue.
    await expect.poll(() => unfinishedJobs(`http://127.0.0.1:${port}`), { timeout: 60_000, interval: 250 }).toBe(0);
    service.kill('SIGTERM');
    expect(await exitOf(service)).toBe(0);

    const [counts] = (await queryOnce({ url: database?.url, dataDir }, `select
      (select count(*)::int from users where email like '%@import-crash.example') as users,
      (select count(distinct email)::int from users where email like '%@import-crash.example') as "distinctUsers",
      (select count(*)::int from user_import_rows where status = 'created') as created,
      (select count(*)::int from user_import_rows where status <> 'created') as "notCreated",
      (select count(*)::int from user_imports where finished_at is null) as unfinished,
      (select count(*)::int from outgoing_mails where template = 'invitation') as invitations,
      (select count(*)::int from sip_accounts where status <> 'active') as "notActive"`)) as Array<Record<string, number>>;
    expect(counts).toEqual({ users: ROWS, distinctUsers: ROWS, created: ROWS, notCreated: 0, unfinished: 0, invitations: ROWS, notActive: 0 });
  }, 180_000);
});
