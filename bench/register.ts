/**
 * `npm run bench:register`: a burst of sign-ups against the FreePBX simulator, over real HTTP.
 *
 * Starts the simulator (Apply Config takes 2 s, as on a small PBX) and the service in this process on a
 * free port, with the FreePBX driver and otherwise default settings (PROVISION_WAIT_MS 5000, worker and
 * apply polling every second). Fires BENCH_USERS (200) POST /auth/register at once and reports: time until
 * every account is active, reloads started, most reloads at once, HTTP 201s per second, p50/p95 latency.
 * Runs on PGlite (a temporary DATA_DIR), then, when DATABASE_URL is set, on a fresh database on that server.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { buildApp } from '../src/app.ts';
import { buildDependencies } from '../src/dependencies.ts';
import { loadConfig } from '../src/config/load-config.ts';
import { resolveGeneratedSecrets } from '../src/config/generated-secrets.ts';
import { queryRows } from '../src/db/database.ts';
import { createLogger } from '../src/shared/logger.ts';
import { startSimulator } from '../tools/freepbx-sim/testing.ts';
import { withFreshPostgresDatabase } from '../tools/testing/fresh-postgres-database.ts';

const USERS = Number(process.env.BENCH_USERS ?? 200);
const RELOAD_DELAY_MS = Number(process.env.BENCH_RELOAD_DELAY_MS ?? 2000);

interface Result {
  engine: string;
  users: number;
  created: number;
  allActiveMs: number;
  reloadsStarted: number;
  maxConcurrentReloads: number;
  registrationsPerSecond: number;
  p50Ms: number;
  p95Ms: number;
  answeredActive: number;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;

async function run(engine: 'pglite' | 'postgres', databaseUrl?: string): Promise<Result> {
  const sim = await startSimulator({ reloadDelayMs: RELOAD_DELAY_MS });
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-register-'));
  const client = sim.clients[0]!;
  const config = loadConfig({
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'warn',
    DATA_DIR: dataDir,
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    JWT_SECRET_KEY: randomBytes(32).toString('hex'),
    CREDENTIALS_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
    AUTH_RATE_LIMIT_PER_MINUTE: '1000000',
    FREEPBX_HOST: sim.url,
    FREEPBX_CLIENT_ID: client.clientId,
    FREEPBX_CLIENT_SECRET: client.clientSecret,
  });
  const logger = createLogger({ level: config.logLevel });
  const deps = await buildDependencies({ config: resolveGeneratedSecrets({ config, logger }), logger });
  const app = await buildApp(deps);
  deps.worker.start();
  const address = await app.listen({ host: config.host, port: 0 });

  try {
    const latencies: number[] = [];
    let created = 0;
    let answeredActive = 0;
    let lastCreatedAt = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: USERS }, async (_, i) => {
        const begin = performance.now();
        const response = await fetch(`${address}/auth/register`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email: `bench-${i}@example.com`, password: 'a long and unusual passphrase 42' }),
        });
        const body = (await response.json()) as { provisioning_status?: string };
        const end = performance.now();
        latencies.push(end - begin);
        if (response.status === 201) {
          created += 1;
          lastCreatedAt = Math.max(lastCreatedAt, end);
          if (body.provisioning_status === 'active') answeredActive += 1;
        }
      }),
    );
    for (;;) {
      const [row] = await queryRows<{ active: number }>(deps.database.db, sql`select count(*)::int as active from sip_accounts where status = 'active'`);
      if ((row?.active ?? 0) >= created) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const allActiveMs = performance.now() - started;
    const counters = sim.counters();
    if (counters.liveExtensions.length !== created) throw new Error(`${created} accounts but ${counters.liveExtensions.length} live extensions`);
    latencies.sort((a, b) => a - b);
    return {
      engine,
      users: USERS,
      created,
      allActiveMs: Math.round(allActiveMs),
      reloadsStarted: counters.reloadsStarted,
      maxConcurrentReloads: counters.maxConcurrentReloads,
      registrationsPerSecond: Math.round((created / ((lastCreatedAt - started) / 1000)) * 10) / 10,
      p50Ms: Math.round(percentile(latencies, 50)),
      p95Ms: Math.round(percentile(latencies, 95)),
      answeredActive,
    };
  } finally {
    await app.close();
    await deps.close();
    await sim.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}


const results: Result[] = [await run('pglite')];
if (process.env.DATABASE_URL) results.push(await withFreshPostgresDatabase(process.env.DATABASE_URL, 'bench', (url) => run('postgres', url)));

console.log(`\n${USERS} sign-ups at once, FreePBX simulator with a ${RELOAD_DELAY_MS / 1000} s Apply Config\n`);
console.log('| database | HTTP 201 | all active after | reloads started | most reloads at once | registrations/s | p50 latency | p95 latency | answered active |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const r of results) {
  console.log(
    `| ${r.engine} | ${r.created}/${r.users} | ${(r.allActiveMs / 1000).toFixed(1)} s | ${r.reloadsStarted} | ${r.maxConcurrentReloads} | ${r.registrationsPerSecond} | ${r.p50Ms} ms | ${r.p95Ms} ms | ${r.answeredActive} |`,
  );
}
const failed = results.some((r) => r.created !== r.users || r.maxConcurrentReloads !== 1);
process.exit(failed ? 1 : 0);
