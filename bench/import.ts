/**
 * `npm run bench:import`: a CSV import of BENCH_ROWS (1,000) users against the FreePBX simulator, whose Apply
 * Config takes BENCH_RELOAD_DELAY_MS (2 s, as on a small PBX). The service runs in this process with the
 * FreePBX driver and default worker settings; the import is started as `voip-onboarding import` starts it.
 * Reports: time until every row is handled, time until every extension is live, Apply Configs started and
 * the most at once. PGlite (a temporary DATA_DIR), or the PostgreSQL of DATABASE_URL when it is set.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { buildDependencies } from '../src/dependencies.ts';
import { loadConfig } from '../src/config/load-config.ts';
import { resolveGeneratedSecrets } from '../src/config/generated-secrets.ts';
import { createLogger } from '../src/shared/logger.ts';
import { startSimulator } from '../tools/freepbx-sim/testing.ts';

const ROWS = Number(process.env.BENCH_ROWS ?? 1000);
const RELOAD_DELAY_MS = Number(process.env.BENCH_RELOAD_DELAY_MS ?? 2000);

const sim = await startSimulator({ reloadDelayMs: RELOAD_DELAY_MS });
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-import-'));
const config = loadConfig({
  LOG_LEVEL: 'warn',
  LOG_FORMAT: 'json',
  DATA_DIR: dataDir,
  ...(process.env.DATABASE_URL ? { DATABASE_URL: process.env.DATABASE_URL } : {}),
  JWT_SECRET_KEY: randomBytes(32).toString('hex'),
  CREDENTIALS_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
  EXTENSION_RANGE: '100000-199999',
  FREEPBX_HOST: sim.url,
  FREEPBX_CLIENT_ID: sim.clients[0]!.clientId,
  FREEPBX_CLIENT_SECRET: sim.clients[0]!.clientSecret,
});
const logger = createLogger({ level: config.logLevel });
const deps = await buildDependencies({ config: resolveGeneratedSecrets({ config, logger }), logger });
deps.worker.start();
deps.mail.start();

const tag = randomBytes(3).toString('hex');
const csv = ['email,display_name', ...Array.from({ length: ROWS }, (_, i) => `bench${i}-${tag}@example.test,"Bench ${i}, Staff"`)].join('\r\n');
const started = performance.now();
const { id, done } = await deps.operator.imports.start({ csv, createdBy: null });
await done;
const handledMs = performance.now() - started;
let live = 0;
while (live < ROWS) {
  await new Promise((resolve) => setTimeout(resolve, 250));
  live = (await deps.operator.importProgress(id)).counts.live;
  if (performance.now() - started > 15 * 60_000) throw new Error(`only ${live} of ${ROWS} live after 15 minutes`);
}
const allLiveMs = performance.now() - started;
const counters = sim.counters();
const result = {
  engine: deps.database.kind,
  rows: ROWS,
  reloadDelayMs: RELOAD_DELAY_MS,
  rowsHandledS: Math.round(handledMs / 100) / 10,
  allLiveS: Math.round(allLiveMs / 100) / 10,
  liveOnPbx: sim.state.live().length,
  reloadsStarted: counters.reloadsStarted,
  maxConcurrentReloads: counters.maxConcurrentReloads,
  loadAverage: os.loadavg().map((value) => Math.round(value * 10) / 10),
};
console.log(JSON.stringify(result, null, 2));
await deps.close();
await sim.stop();
fs.rmSync(dataDir, { recursive: true, force: true });
