import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../tools/testing/free-port.ts';
import { autocannon, loadWithCpu, signUpAndLogIn, startService, stopProcess, waitForHttp } from './processes.ts';

const PAIRS = Number(process.env.BENCH_LEVEL_PAIRS ?? 12);
const ROUND_S = Number(process.env.BENCH_LEVEL_ROUND_S ?? 3);
type Run = Awaited<ReturnType<typeof loadWithCpu>>;

export const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length / 2;
  return sorted.length % 2 ? sorted[Math.floor(middle)]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

async function startOne(baseEnv: Record<string, string>, level: string | undefined, connections: number) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-level-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const env = { ...baseEnv, PORT: String(port), DATA_DIR: dataDir, ...(level ? { LOG_LEVEL: level } : {}) };
  const service: ChildProcess = startService(env, path.join(dataDir, 'service.log'));
  await waitForHttp(`${base}/healthz`, Date.now());
  const token = await signUpAndLogIn(base, 'benchmark passphrase that is long');
  const args = ['-c', String(connections), '-H', `authorization=Bearer ${token}`, `${base}/sip/credentials`];
  await autocannon(['-d', '2', ...args]); // warm-up
  return { service, args, dataDir };
}

/**
 * What the default log level costs against `warn`, measured so that the machine's drift cancels out: a service
 * on the default level and one on `warn` run side by side (same bundle, same database engine), and load takes
 * turns between them, ROUND_S seconds each, PAIRS times, in A-B then B-A order. Each pair's ratio compares two
 * runs seconds apart; the cost is 1 − the median ratio. On a shared 2-core machine successive runs of one
 * service differed by up to ±25 %, which a best-of-two comparison of separate starts turned into noise.
 */
export async function measureLevelCost(baseEnv: Record<string, string>, connections: number, databaseUrl?: string) {
  const started: Awaited<ReturnType<typeof startOne>>[] = [];
  try {
    const info = await startOne(baseEnv, undefined, connections);
    started.push(info);
    const warn = await startOne(baseEnv, 'warn', connections);
    started.push(warn);
    const runs = { info: [] as Run[], warn: [] as Run[] };
    const ratios: number[] = [];
    const load = async (which: 'info' | 'warn') => {
      const target = which === 'info' ? info : warn;
      const run = await loadWithCpu(target.service.pid!, ['-d', String(ROUND_S), ...target.args], databaseUrl);
      runs[which].push(run);
      return run.requestsPerSecond;
    };
    for (let pair = 0; pair < PAIRS; pair++) {
      const [first, second] = pair % 2 === 0 ? (['info', 'warn'] as const) : (['warn', 'info'] as const);
      const a = await load(first);
      const b = await load(second);
      ratios.push(first === 'info' ? a / b : b / a);
    }
    return {
      runs, ratios,
      cost: 1 - median(ratios),
      cpuInfo: median(runs.info.map((run) => run.cpuMicros)),
      cpuWarn: median(runs.warn.map((run) => run.cpuMicros)),
      non2xx: [...runs.info, ...runs.warn].reduce((sum, run) => sum + run.non2xx + run.errors, 0),
    };
  } finally {
    for (const { service, dataDir } of started) {
      await stopProcess(service);
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }
}
