import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../tools/testing/free-port.ts';
import { measureCredentialsRound, signUpAndLogIn, startProcess, stopProcess, waitForHttp } from './processes.ts';
import { median } from './level-cost.ts';

/**
 * npm run bench:metrics: what recording metrics costs the hot path. GET /sip/credentials (cached, 50
 * connections) on one PGlite data directory with METRICS_ENABLED=false and =true, alternated ROUNDS times so a
 * busy machine's drift hits both alike; then the time one GET /metrics scrape takes. Besides requests per
 * second it reports the service's CPU time per request (from /proc), which a machine shared with other work
 * disturbs far less than throughput.
 */
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 8);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = 50;
const tsx = 'node_modules/.bin/tsx';
const password = 'benchmark passphrase that is long';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-metrics-'));
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const env = {
  PORT: String(port),
  HOST: '127.0.0.1',
  DATA_DIR: dataDir,
  LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  AUTH_RATE_LIMIT_PER_MINUTE: '1000000',
  JWT_SECRET_KEY: 'bench-jwt-secret-key-that-is-long-enough-0123456789',
  CREDENTIALS_ENCRYPTION_KEY: 'cd'.repeat(32),
};

async function withService<T>(metrics: boolean, run: (pid: number) => Promise<T>): Promise<T> {
  // node --import tsx (not the tsx CLI, which runs the service in a child): the pid is the service's own.
  const service = startProcess(process.execPath, ['--import', 'tsx', 'src/main.ts'], { ...env, METRICS_ENABLED: String(metrics) });
  try {
    await waitForHttp(`${base}/healthz`, Date.now());
    return await run(service.pid!);
  } finally {
    await stopProcess(service);
  }
}

try {
  const token = await withService(true, () => signUpAndLogIn(base, password));
  const results: Record<'off' | 'on', number[]> = { off: [], on: [] };
  const cpu: Record<'off' | 'on', number[]> = { off: [], on: [] };
  let scrapeMs: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (const metrics of [false, true]) {
      await withService(metrics, async (pid) => {
        const run = await measureCredentialsRound({ base, token, pid, connections: CONNECTIONS, durationS: DURATION_S });
        results[metrics ? 'on' : 'off'].push(run.requestsPerSecond);
        cpu[metrics ? 'on' : 'off'].push(run.cpuMicrosPerRequest);
        if (metrics && round === ROUNDS - 1) {
          scrapeMs = [];
          for (let scrape = 0; scrape < 20; scrape++) {
            const started = performance.now();
            if (!(await fetch(`${base}/metrics`)).ok) throw new Error('scrape failed');
            scrapeMs.push(performance.now() - started);
          }
        }
      });
    }
  }
  const fmt = (values: number[]) => values.map((value) => value.toFixed(0)).join(', ');
  console.log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown CPU'}, load ${os.loadavg()[0]!.toFixed(1)}, Node ${process.version}, ${new Date().toISOString()}`);
  console.log(`GET /sip/credentials (PGlite, cached, ${CONNECTIONS} connections, LOG_LEVEL=${env.LOG_LEVEL}, ${DURATION_S} s × ${ROUNDS} alternated rounds)`);
  console.log(`  METRICS_ENABLED=false: ${fmt(results.off)} req/s (median ${median(results.off).toFixed(0)})`);
  console.log(`  METRICS_ENABLED=true:  ${fmt(results.on)} req/s (median ${median(results.on).toFixed(0)}) = ${((median(results.on) / median(results.off)) * 100).toFixed(1)} % of off`);
  console.log(`  service CPU per request: off ${fmt(cpu.off)} µs (median ${median(cpu.off).toFixed(0)}), on ${fmt(cpu.on)} µs (median ${median(cpu.on).toFixed(0)}): +${(median(cpu.on) - median(cpu.off)).toFixed(1)} µs`);
  console.log(`GET /metrics scrape: median ${median(scrapeMs).toFixed(1)} ms, max ${Math.max(...scrapeMs).toFixed(1)} ms (20 scrapes, idle)`);
} finally {
  fs.rmSync(dataDir, { recursive: true, force: true });
}
