import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SignJWT } from 'jose';
import { freePort } from '../tools/testing/free-port.ts';
import { autocannon, startProcess, stopProcess, waitForHttp } from './processes.ts';

/**
 * npm run bench:sessions: what checking the session costs the hot path. One service (PGlite, cached
 * credentials) is loaded with GET /sip/credentials (50 connections) alternately with two tokens of one user:
 * a token from POST /auth/login, whose session is checked on every request, and a token without a session
 * id, as issued before sessions existed, which skips the check exactly as every request did before: the
 * path of today against the path of before, in one process, rounds alternated so that a busy machine's drift
 * hits both alike. Reports requests per second and the service's CPU time per request (from /proc).
 */
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 6);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = 50;
const JWT_SECRET_KEY = 'bench-jwt-secret-key-that-is-long-enough-0123456789';
const password = 'benchmark passphrase that is long';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-sessions-'));
const port = await freePort();
const base = `http://127.0.0.1:${port}`;

/** CPU seconds (user + system) the process has used so far. */
function cpuSeconds(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

// node --import tsx (not the tsx CLI, which runs the service in a child): the pid is the service's own.
const service = startProcess(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
  PORT: String(port),
  HOST: '127.0.0.1',
  DATA_DIR: dataDir,
  LOG_LEVEL: 'warn',
  AUTH_RATE_LIMIT_PER_MINUTE: '1000000',
  JWT_SECRET_KEY,
  CREDENTIALS_ENCRYPTION_KEY: 'cd'.repeat(32),
});
try {
  await waitForHttp(`${base}/healthz`, Date.now());
  const body = JSON.stringify({ email: `bench-${Date.now()}@example.com`, password });
  const headers = { 'content-type': 'application/json' };
  const registered = await fetch(`${base}/auth/register`, { method: 'POST', headers, body });
  if (registered.status !== 201) throw new Error('register failed');
  const userId = ((await registered.json()) as { id: string }).id;
  const withSession = ((await (await fetch(`${base}/auth/login`, { method: 'POST', headers, body })).json()) as { access_token: string }).access_token;
  const withoutSession = await new SignJWT({ jti: 'bench' }).setProtectedHeader({ alg: 'HS256' }).setSubject(userId)
    .setIssuer('voip-onboarding-api').setAudience('voip-onboarding-api').setIssuedAt().setExpirationTime('1h')
    .sign(new TextEncoder().encode(JWT_SECRET_KEY));

  const tokens = { before: withoutSession, now: withSession } as const;
  const rps: Record<keyof typeof tokens, number[]> = { before: [], now: [] };
  const cpu: Record<keyof typeof tokens, number[]> = { before: [], now: [] };
  for (let round = 0; round < ROUNDS; round++) {
    for (const which of ['before', 'now'] as const) {
      const args = ['-c', String(CONNECTIONS), '-H', `authorization=Bearer ${tokens[which]}`, `${base}/sip/credentials`];
      await autocannon([...args.slice(0, 2), '-d', '2', ...args.slice(2)]); // warm-up
      const cpuBefore = cpuSeconds(service.pid!);
      const run = await autocannon(['-d', String(DURATION_S), ...args]);
      if (run.non2xx > 0 || run.errors > 0) throw new Error(`non-2xx ${run.non2xx}, errors ${run.errors}`);
      rps[which].push(run.requestsPerSecond);
      cpu[which].push(((cpuSeconds(service.pid!) - cpuBefore) / (run.requestsPerSecond * DURATION_S)) * 1e6);
    }
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const fmt = (values: number[]) => values.map((value) => value.toFixed(0)).join(', ');
  console.log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown CPU'}, load ${os.loadavg()[0]!.toFixed(1)}, Node ${process.version}, ${new Date().toISOString()}`);
  console.log(`GET /sip/credentials (PGlite, cached, ${CONNECTIONS} connections, ${DURATION_S} s × ${ROUNDS} alternated rounds)`);
  console.log(`  token without a session (the path before sessions): ${fmt(rps.before)} req/s (median ${median(rps.before).toFixed(0)})`);
  console.log(`  token with a session (checked):                     ${fmt(rps.now)} req/s (median ${median(rps.now).toFixed(0)}) = ${((median(rps.now) / median(rps.before)) * 100).toFixed(1)} % of before`);
  console.log(`  service CPU per request: before ${fmt(cpu.before)} µs (median ${median(cpu.before).toFixed(0)}), with the check ${fmt(cpu.now)} µs (median ${median(cpu.now).toFixed(0)}): ${(median(cpu.now) - median(cpu.before)).toFixed(1)} µs`);
} finally {
  await stopProcess(service);
  fs.rmSync(dataDir, { recursive: true, force: true });
}
