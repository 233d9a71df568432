import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import pg from 'pg';
import { buildService, startCommand } from '../tools/testing/start-command.ts';

/** The service exactly as `npm start` runs it (its prestart build, then its start script), with this Node. */
export const SERVICE_COMMAND: string[] = (() => {
  const { nodeFlags } = startCommand();
  return [process.execPath, ...nodeFlags, buildService()];
})();

/** The environment the start script sets before `node` (allocator settings); a bench's own `env` comes on top. */
export const SERVICE_ENV: Record<string, string> = startCommand().env;

/**
 * Starts the service as `npm start` does (SERVICE_COMMAND in SERVICE_ENV), with a bench's own `env` on top;
 * `nodeArgs` go before the script (e.g. --cpu-prof). Its log lines go to `logFile`.
 */
export function startService(env: Record<string, string>, logFile: string, nodeArgs: readonly string[] = []): ChildProcess {
  const [node, ...args] = SERVICE_COMMAND;
  return startProcess(node!, [...nodeArgs, ...args], { ...SERVICE_ENV, ...env }, logFile);
}

/** Starts a process; its standard output goes to `stdoutFile` when given (a log file, as in production), else nowhere. */
export function startProcess(command: string, args: readonly string[], env: Record<string, string>, stdoutFile?: string): ChildProcess {
  const stdout = stdoutFile ? fs.openSync(stdoutFile, 'a') : 'ignore';
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', stdout, 'inherit'] });
  if (typeof stdout === 'number') fs.closeSync(stdout);
  return child;
}

export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** Milliseconds from `since` until `url` first answers 200. */
export async function waitForHttp(url: string, since: number, timeoutMs = 60_000): Promise<number> {
  while (Date.now() - since < timeoutMs) {
    try {
      if ((await fetch(url)).ok) return Date.now() - since;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

/** Resident set size of a process in MiB (Linux /proc): now, and the peak since it started. */
export function rssMiB(pid: number): { now: number; peak: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { now: Math.round(kib('VmRSS') / 1024), peak: Math.round(kib('VmHWM') / 1024) };
}

/**
 * Where a process's resident memory is (Linux /proc/<pid>/smaps), in MiB: pages of files (the node binary and
 * libraries), glibc's main heap, and other anonymous memory (V8's heap, thread arenas and stacks, buffers).
 */
export function memorySplitMiB(pid: number): { files: number; mallocHeap: number; anonymous: number } {
  const split = { files: 0, mallocHeap: 0, anonymous: 0 };
  let bucket: keyof typeof split = 'anonymous';
  for (const line of fs.readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const mapping = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \d+\s*(.*)$/.exec(line);
    if (mapping) bucket = mapping[1]!.startsWith('/') ? 'files' : mapping[1] === '[heap]' ? 'mallocHeap' : 'anonymous';
    else if (line.startsWith('Rss:')) split[bucket] += Number(/(\d+) kB/.exec(line)![1]) / 1024;
  }
  return { files: Math.round(split.files), mallocHeap: Math.round(split.mallocHeap), anonymous: Math.round(split.anonymous) };
}

/** Runs autocannon in its own process (so the load generator does not share the server's event loop). */
export async function autocannon(args: string[]): Promise<{ requestsPerSecond: number; total: number; non2xx: number; errors: number; p99: number }> {
  const child = spawn('node_modules/.bin/autocannon', ['--json', ...args], { stdio: ['ignore', 'pipe', 'ignore'] });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await new Promise((resolve) => child.once('exit', resolve));
  const result = JSON.parse(output) as { requests: { average: number; total: number }; non2xx: number; errors: number; latency: { p99: number } };
  return { requestsPerSecond: result.requests.average, total: result.requests.total, non2xx: result.non2xx, errors: result.errors, p99: result.latency.p99 };
}

/** CPU seconds (user + system) the process has used so far. */
export function cpuSeconds(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
}

/** Signs a new user up on the service at `base` and logs them in; their access token. */
export async function signUpAndLogIn(base: string, password: string): Promise<string> {
  const body = JSON.stringify({ email: `bench-${Date.now()}@example.com`, password });
  const headers = { 'content-type': 'application/json' };
  if ((await fetch(`${base}/auth/register`, { method: 'POST', headers, body })).status !== 201) throw new Error('register failed');
  const login = await fetch(`${base}/auth/login`, { method: 'POST', headers, body });
  return ((await login.json()) as { access_token: string }).access_token;
}

/**
 * One measured round of `GET /sip/credentials` with `connections` (after a 2 s warm-up): requests per second
 * and the service's CPU microseconds per request. Any non-2xx answer or error fails the benchmark.
 */
export async function measureCredentialsRound({ base, token, pid, connections, durationS }: { base: string; token: string; pid: number; connections: number; durationS: number }) {
  const url = `${base}/sip/credentials`;
  const auth = `authorization=Bearer ${token}`;
  await autocannon(['-c', String(connections), '-d', '2', '-H', auth, url]); // warm-up
  const before = cpuSeconds(pid);
  const run = await autocannon(['-c', String(connections), '-d', String(durationS), '-H', auth, url]);
  const used = cpuSeconds(pid) - before;
  if (run.non2xx > 0 || run.errors > 0) throw new Error(`non-2xx ${run.non2xx}, errors ${run.errors}`);
  return { requestsPerSecond: run.requestsPerSecond, cpuMicrosPerRequest: (used / (run.requestsPerSecond * durationS)) * 1e6 };
}

/** CPU seconds of one thread of a process (`tid` = `pid`: its main thread, the one running JavaScript). */
export function threadCpuSeconds(pid: number, tid = pid): number {
  const fields = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * CPU seconds each PostgreSQL server process serving `databaseUrl`'s database has used so far, by pid (its
 * backends: the service's pool and LISTEN connections; the server runs on this host and shares its cores).
 */
export async function postgresBackendsCpu(databaseUrl: string): Promise<Map<number, number>> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number }>('select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()');
    const cpu = new Map<number, number>();
    for (const { pid } of rows) {
      try {
        cpu.set(pid, cpuSeconds(pid));
      } catch {
        // ended meanwhile
      }
    }
    return cpu;
  } finally {
    await client.end();
  }
}

/** CPU seconds the backends used between two readings: those that ended meanwhile count up to the first (idle pool connections do). */
export function backendsCpuDelta(before: Map<number, number>, after: Map<number, number>): number {
  let used = 0;
  for (const [pid, seconds] of after) used += seconds - (before.get(pid) ?? 0);
  return used;
}

/**
 * One autocannon run against the process `pid`, with the CPU time per request it cost: the process (all its
 * threads: JavaScript, garbage collection helpers, the file writes of its log) and, with `databaseUrl`, the
 * PostgreSQL backends serving it. Unlike requests per second, CPU time per request hardly moves when other
 * work shares the machine's cores.
 */
export async function loadWithCpu(pid: number, args: string[], databaseUrl?: string) {
  const backends = () => (databaseUrl ? postgresBackendsCpu(databaseUrl) : Promise.resolve(new Map<number, number>()));
  const before = { process: cpuSeconds(pid), backends: await backends() };
  const run = await autocannon(args);
  const after = { process: cpuSeconds(pid), backends: await backends() };
  const perRequest = (seconds: number) => (seconds / Math.max(1, run.total)) * 1e6;
  return { ...run, cpuMicros: perRequest(after.process - before.process), backendMicros: perRequest(backendsCpuDelta(before.backends, after.backends)) };
}
