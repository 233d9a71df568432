import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../tools/testing/free-port.ts';
import { withFreshPostgresDatabase } from '../tools/testing/fresh-postgres-database.ts';
import { summarizeProfile } from './cpu-profile-summary.ts';
import {
  autocannon, backendsCpuDelta, cpuSeconds, postgresBackendsCpu, signUpAndLogIn, startService, stopProcess, threadCpuSeconds, waitForHttp,
} from './processes.ts';

/**
 * npm run bench:profile: where the CPU of a cached GET /sip/credentials goes. The service runs as `npm start`
 * runs it, plus `--cpu-prof`, on its default settings (PROFILE_LOG_LEVEL sets another level), on PostgreSQL
 * with DATABASE_URL (a fresh database) else on PGlite; 50 connections load it for BENCH_DURATION_S (10) after
 * a warm-up. It prints the CPU time per request read from /proc (the whole process, its main thread, and
 * the PostgreSQL backends serving it), and the main thread's profile samples of the loaded window split by
 * part (bench/cpu-profile-summary.ts), each as a share and as µs per request. CPU time per request hardly
 * moves when other work shares the machine, unlike requests per second. PROFILE_KEEP=file.cpuprofile keeps the
 * profile (open it in Chrome DevTools' Performance panel) and PROFILE_TOP=n lists each part's n busiest functions.
 */
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 10);
const CONNECTIONS = 50;
const password = 'benchmark passphrase that is long';
const hrMicros = () => Number(process.hrtime.bigint() / 1000n);

async function profileService(databaseUrl: string | undefined) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-profile-'));
  const profileDir = path.join(dataDir, 'profile');
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const env: Record<string, string> = {
    PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, AUTH_RATE_LIMIT_PER_MINUTE: '1000000',
    JWT_SECRET_KEY: 'bench-jwt-secret-key-that-is-long-enough-0123456789', CREDENTIALS_ENCRYPTION_KEY: 'cd'.repeat(32),
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    ...(process.env.PROFILE_LOG_LEVEL ? { LOG_LEVEL: process.env.PROFILE_LOG_LEVEL } : {}),
  };
  delete process.env.LOG_LEVEL;
  const service = startService(env, path.join(dataDir, 'service.log'), ['--cpu-prof', `--cpu-prof-dir=${profileDir}`]);
  try {
    await waitForHttp(`${base}/healthz`, Date.now());
    const token = await signUpAndLogIn(base, password);
    const load = ['-c', String(CONNECTIONS), '-H', `authorization=Bearer ${token}`, `${base}/sip/credentials`];
    await autocannon(['-d', '3', ...load]);
    const pid = service.pid!;
    const backends = () => (databaseUrl ? postgresBackendsCpu(databaseUrl) : Promise.resolve(new Map<number, number>()));
    const before = { process: cpuSeconds(pid), main: threadCpuSeconds(pid), backends: await backends() };
    const from = hrMicros();
    const run = await autocannon(['-d', String(DURATION_S), ...load]);
    const to = hrMicros();
    const after = { process: cpuSeconds(pid), main: threadCpuSeconds(pid), backends: await backends() };
    if (run.non2xx > 0 || run.errors > 0) throw new Error(`non-2xx ${run.non2xx}, errors ${run.errors}`);
    await stopProcess(service);
    const [profileFile] = fs.readdirSync(profileDir).filter((name) => name.endsWith('.cpuprofile'));
    if (!profileFile) throw new Error('no CPU profile written');
    if (process.env.PROFILE_KEEP) {
      fs.copyFileSync(path.join(profileDir, profileFile), process.env.PROFILE_KEEP);
      console.log(`profile kept in ${process.env.PROFILE_KEEP}; the loaded window is ${from}–${to} (profile clock, µs)`);
    }
    const perRequest = (seconds: number) => (seconds / run.total) * 1e6;
    return {
      run,
      micros: { process: perRequest(after.process - before.process), main: perRequest(after.main - before.main), backends: perRequest(backendsCpuDelta(before.backends, after.backends)) },
      profile: summarizeProfile(path.join(profileDir, profileFile), from, to),
    };
  } finally {
    await stopProcess(service);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

const databaseUrl = process.env.DATABASE_URL;
const result = databaseUrl
  ? await withFreshPostgresDatabase(databaseUrl, 'bench_profile', (url) => profileService(url))
  : await profileService(undefined);
const { run, micros, profile } = result;
console.log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}, ${new Date().toISOString()}`);
console.log(`GET /sip/credentials on ${databaseUrl ? 'PostgreSQL' : 'PGlite'}, LOG_LEVEL=${process.env.PROFILE_LOG_LEVEL ?? 'info (default)'}, ${CONNECTIONS} connections, ${DURATION_S} s: ${run.requestsPerSecond.toFixed(0)} req/s, ${run.total} requests`);
console.log(`CPU per request: service process ${micros.process.toFixed(1)} µs (main thread ${micros.main.toFixed(1)}, other threads ${(micros.process - micros.main).toFixed(1)})${databaseUrl ? `, PostgreSQL backends ${micros.backends.toFixed(1)} µs` : ''}`);
// A part's time per request: its samples' share of the busy window (the main thread's wall time while not
// idle, over the requests). The write(2)/writev(2) of an answer counts the time the thread was preempted there
// by the client it woke up, so the busy time exceeds the main thread's CPU time; the other parts are CPU.
const windowMicros = DURATION_S * 1e6;
const busyMicrosPerRequest = (profile.busyShare * windowMicros) / run.total;
console.log(`main thread busy ${(profile.busyShare * 100).toFixed(1)} % of the window (${profile.samples} samples) = ${busyMicrosPerRequest.toFixed(1)} µs per request (its CPU: ${micros.main.toFixed(1)} µs); by part (share of busy samples, µs per request):`);
for (const { feature, share } of profile.shares) {
  if (share < 0.002) continue;
  console.log(`  ${feature.padEnd(40)} ${(share * 100).toFixed(1).padStart(5)} %  ${(share * busyMicrosPerRequest).toFixed(1).padStart(6)} µs`);
}
