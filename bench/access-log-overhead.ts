import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../tools/testing/free-port.ts';
import { measureCredentialsRound, signUpAndLogIn, startProcess, stopProcess, waitForHttp } from './processes.ts';

/**
 * npm run bench:access-log: what recording each credential delivery costs the hot path. GET /sip/credentials
 * (cached, 50 connections) on one PGlite data directory (or DATABASE_URL) with the access log recorded and
 * not (bench/access-log-server.ts), alternated ROUNDS times so a busy machine's drift hits both alike; with
 * the service's CPU time per request (from /proc) beside requests per second.
 */
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 8);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = 50;
const password = 'benchmark passphrase that is long';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-access-log-'));
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const env = {
  PORT: String(port),
  HOST: '127.0.0.1',
  DATA_DIR: dataDir,
  LOG_LEVEL: 'warn',
  METRICS_ENABLED: 'false',
  AUTH_RATE_LIMIT_PER_MINUTE: '1000000',
  JWT_SECRET_KEY: 'bench-jwt-secret-key-that-is-long-enough-0123456789',
  CREDENTIALS_ENCRYPTION_KEY: 'cd'.repeat(32),
};

async function withService<T>(recording: boolean, run: (pid: number) => Promise<T>): Promise<T> {
  const service = startProcess(process.execPath, ['--import', 'tsx', 'bench/access-log-server.ts'], { ...env, BENCH_ACCESS_LOG: recording ? 'on' : 'off' });
  try {
    await waitForHttp(`${base}/healthz`, Date.now(), 180_000); // a loaded machine starts slowly
    return await run(service.pid!);
  } finally {
    await stopProcess(service);
  }
}

try {
  const token = await withService(true, () => signUpAndLogIn(base, password));
  const rps: Record<'off' | 'on', number[]> = { off: [], on: [] };
  const cpu: Record<'off' | 'on', number[]> = { off: [], on: [] };
  let written = 0;
  for (let round = 0; round < ROUNDS; round++) {
    for (const recording of [false, true]) {
      await withService(recording, async (pid) => {
        const run = await measureCredentialsRound({ base, token, pid, connections: CONNECTIONS, durationS: DURATION_S });
        rps[recording ? 'on' : 'off'].push(run.requestsPerSecond);
        cpu[recording ? 'on' : 'off'].push(run.cpuMicrosPerRequest);
        if (recording) {
          const page = await fetch(`${base}/sip/credentials/access-log?limit=1`, { headers: { authorization: `Bearer ${token}` } });
          if (!page.ok || ((await page.json()) as { items: unknown[] }).items.length !== 1) throw new Error('nothing recorded');
          written += 1;
        }
      });
    }
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const fmt = (values: number[]) => values.map((value) => value.toFixed(0)).join(', ');
  console.log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown CPU'}, load ${os.loadavg()[0]!.toFixed(1)}, Node ${process.version}, ${new Date().toISOString()}`);
  console.log(`GET /sip/credentials (${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'}, cached, ${CONNECTIONS} connections, ${DURATION_S} s × ${ROUNDS} alternated rounds; recorded rounds checked: ${written})`);
  console.log(`  not recorded: ${fmt(rps.off)} req/s (median ${median(rps.off).toFixed(0)})`);
  console.log(`  recorded:     ${fmt(rps.on)} req/s (median ${median(rps.on).toFixed(0)}) = ${((median(rps.on) / median(rps.off)) * 100).toFixed(1)} % of not recorded`);
  console.log(`  service CPU per request: not recorded ${fmt(cpu.off)} µs (median ${median(cpu.off).toFixed(0)}), recorded ${fmt(cpu.on)} µs (median ${median(cpu.on).toFixed(0)})`);
} finally {
  fs.rmSync(dataDir, { recursive: true, force: true });
}
