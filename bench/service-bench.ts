import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePort } from '../tools/testing/free-port.ts';
import { autocannon, startProcess, stopProcess, waitForHttp } from './processes.ts';

/**
 * npm run bench: the service against yardsticks measured in the same run on the same machine —
 * GET /sip/credentials against a bare Fastify JSON route (target ≥ 25 % on PostgreSQL), POST /auth/login
 * against raw argon2id verifications at the service's parameters (target ≥ 70 %), and the time from
 * process start to the first answered request on a fresh and on an existing data directory.
 */
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 8);
const CONNECTIONS = 32;
const hashConcurrency = os.availableParallelism();
const tsx = 'node_modules/.bin/tsx';
const password = 'benchmark passphrase that is long';

async function measureBare(path: '/bare' | '/bare-db'): Promise<number> {
  const port = await freePort();
  const server = startProcess(tsx, ['bench/bare-server.ts'], { PORT: String(port) });
  try {
    await waitForHttp(`http://127.0.0.1:${port}/bare`, Date.now());
    await autocannon(['-c', String(CONNECTIONS), '-d', '2', `http://127.0.0.1:${port}${path}`]); // warm-up
    return (await autocannon(['-c', String(CONNECTIONS), '-d', String(DURATION_S), `http://127.0.0.1:${port}${path}`])).requestsPerSecond;
  } finally {
    await stopProcess(server);
  }
}

async function measureRawHash(): Promise<number> {
  const run = spawn(tsx, ['bench/raw-argon2.ts'], {
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
  const port = await freePort();
  const env = {
    PORT: String(port),
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    AUTH_RATE_LIMIT_PER_MINUTE: '1000000',
    JWT_SECRET_KEY: 'bench-jwt-secret-key-that-is-long-enough-0123456789',
    CREDENTIALS_ENCRYPTION_KEY: 'cd'.repeat(32),
    ...(engine.databaseUrl ? { DATABASE_URL: engine.databaseUrl } : {}),
  };
  const base = `http://127.0.0.1:${port}`;
  try {
    let started = Date.now();
    let service = startProcess(tsx, ['src/main.ts'], env);
    const freshStartMs = await waitForHttp(`${base}/healthz`, started);
    await stopProcess(service);
    started = Date.now();
    service = startProcess(tsx, ['src/main.ts'], env);
    const existingStartMs = await waitForHttp(`${base}/healthz`, started);
    try {
      const email = `bench-${Date.now()}@example.com`;
      const registered = await fetch(`${base}/auth/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
      if (registered.status !== 201) throw new Error(`register answered ${registered.status}`);
      const login = await fetch(`${base}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
      const { access_token: token } = (await login.json()) as { access_token: string };
      const credentialsArgs = ['-c', String(CONNECTIONS), '-H', `authorization=Bearer ${token}`, `${base}/sip/credentials`];
      await autocannon([...credentialsArgs.slice(0, 2), '-d', '2', ...credentialsArgs.slice(2)]); // warm-up
      const credentials = await autocannon(['-d', String(DURATION_S), ...credentialsArgs]);
      const loginRun = await autocannon([
        '-c', String(CONNECTIONS), '-d', String(DURATION_S), '-m', 'POST',
        '-H', 'content-type=application/json', '-b', JSON.stringify({ email, password }), `${base}/auth/login`,
      ]);
      // The same read with the account cache off: every request goes to the database and decrypts.
      await stopProcess(service);
      service = startProcess(tsx, ['src/main.ts'], { ...env, ACCOUNT_CACHE_TTL_MS: '0' });
      await waitForHttp(`${base}/healthz`, Date.now());
      await autocannon([...credentialsArgs.slice(0, 2), '-d', '2', ...credentialsArgs.slice(2)]); // warm-up
      const uncachedCredentials = await autocannon(['-d', String(DURATION_S), ...credentialsArgs]);
      return { freshStartMs, existingStartMs, credentials, uncachedCredentials, login: loginRun };
    } finally {
      await stopProcess(service);
    }
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

async function withFreshPostgresDatabase<T>(serverUrl: string, run: (url: string) => Promise<T>): Promise<T> {
  const name = `bench_${Date.now()}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  try {
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    return await run(url.toString());
  } finally {
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}

const pct = (value: number) => `${(value * 100).toFixed(1)} %`;
const bare = await measureBare('/bare');
const bareWithQuery = process.env.DATABASE_URL ? await measureBare('/bare-db') : undefined;
const rawHash = await measureRawHash();
console.log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${new Date().toISOString()}`);
console.log(`bare Fastify JSON route: ${bare.toFixed(0)} req/s; raw argon2id verify (m=19 MiB, t=2, p=1, ${hashConcurrency} at once): ${rawHash.toFixed(1)} /s`);
if (bareWithQuery) console.log(`reference: bare route + one trivial prepared PostgreSQL query: ${bareWithQuery.toFixed(0)} req/s = ${pct(bareWithQuery / bare)} of bare`);
const engines: { name: string; databaseUrl?: string }[] = [{ name: 'PGlite (embedded)' }];
if (process.env.DATABASE_URL) engines.unshift({ name: 'PostgreSQL', databaseUrl: process.env.DATABASE_URL });
else console.log('DATABASE_URL not set: PostgreSQL not measured (set DATABASE_URL=postgres://… to include it)');
let failed = false;
for (const engine of engines) {
  const result = engine.databaseUrl
    ? await withFreshPostgresDatabase(engine.databaseUrl, (url) => measureService({ ...engine, databaseUrl: url }))
    : await measureService(engine);
  const credentialsRatio = result.credentials.requestsPerSecond / bare;
  const loginRatio = result.login.requestsPerSecond / rawHash;
  const isPostgres = Boolean(engine.databaseUrl);
  console.log(`\n${engine.name}`);
  console.log(`  start to first answer: fresh data ${result.freshStartMs} ms, existing data ${result.existingStartMs} ms`);
  console.log(`  GET /sip/credentials: ${result.credentials.requestsPerSecond.toFixed(0)} req/s = ${pct(credentialsRatio)} of bare (p99 ${result.credentials.p99} ms, non-2xx ${result.credentials.non2xx})${isPostgres ? ` — target ≥ 25 %: ${credentialsRatio >= 0.25 ? 'met' : 'NOT MET'}` : ''}`);
  console.log(`  GET /sip/credentials with ACCOUNT_CACHE_TTL_MS=0 (every read from the database): ${result.uncachedCredentials.requestsPerSecond.toFixed(0)} req/s = ${pct(result.uncachedCredentials.requestsPerSecond / bare)} of bare`);
  console.log(`  POST /auth/login: ${result.login.requestsPerSecond.toFixed(1)} req/s = ${pct(loginRatio)} of raw hash rate (p99 ${result.login.p99} ms, non-2xx ${result.login.non2xx}) — target ≥ 70 %: ${loginRatio >= 0.7 ? 'met' : 'NOT MET'}`);
  if ((isPostgres && credentialsRatio < 0.25) || loginRatio < 0.7 || result.credentials.non2xx > 0 || result.uncachedCredentials.non2xx > 0 || result.login.non2xx > 0) failed = true;
}
process.exitCode = failed ? 1 : 0;
