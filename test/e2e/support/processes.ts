import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Throws a clear error when a program the end-to-end suites need is not installed: these suites fail, they
 * never skip, so a missing package cannot pass silently.
 */
export function requireProgram(program: string, debianPackage: string): string {
  const found = spawnSync('sh', ['-c', `command -v ${program}`], { encoding: 'utf8' });
  const path = found.stdout.trim();
  if (found.status !== 0 || path === '') {
    throw new Error(
      `${program} is not installed; these end-to-end tests need it. ` +
        `Install it with: apt-get install -y --no-install-recommends ${debianPackage}`,
    );
  }
  return path;
}

/** A process started by a test, with the tail of its output kept for failure messages. */
export interface OwnedProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Resolves with the exit code (or signal name) once the process has been waited for. */
  readonly exited: Promise<number | string>;
  hasExited(): boolean;
  /** The last lines of stdout and stderr together. */
  outputTail(lines?: number): string;
  /** Sends `signal`, waits up to `graceMs`, then SIGKILLs and waits for good. Safe to call twice. */
  stop(args?: { signal?: NodeJS.Signals; graceMs?: number }): Promise<void>;
}

const KEPT_LINES = 400;

// Safety net for a test run that crashes before its `stop()`: SIGKILL whatever is still ours when Node exits,
// so no registrar keeps a port and a database session after the run.
const livePids = new Set<number>();
process.on('exit', () => {
  for (const pid of livePids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

export function startOwnedProcess(args: {
  command: string;
  argv: string[];
  options?: Omit<SpawnOptions, 'stdio'>;
  stdin?: 'pipe' | 'ignore';
}): OwnedProcess {
  const child = spawn(args.command, args.argv, { ...args.options, stdio: [args.stdin ?? 'ignore', 'pipe', 'pipe'] });
  if (child.pid === undefined) throw new Error(`could not start ${args.command}`);
  const pid = child.pid;
  livePids.add(pid);
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    lines.push(...chunk.toString('utf8').split('\n').filter((line) => line.length > 0));
    if (lines.length > KEPT_LINES) lines.splice(0, lines.length - KEPT_LINES);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let done = false;
  const exited = new Promise<number | string>((resolve) => {
    child.on('exit', (code, signal) => {
      done = true;
      livePids.delete(pid);
      resolve(code ?? signal ?? 'unknown');
    });
  });

  return {
    child,
    pid,
    exited,
    hasExited: () => done,
    outputTail: (count = 40) => lines.slice(-count).join('\n'),
    async stop({ signal = 'SIGTERM', graceMs = 5_000 } = {}) {
      if (done) return;
      process.kill(pid, signal);
      const outcome = await Promise.race([exited, sleep(graceMs, 'timeout' as const)]);
      if (outcome === 'timeout' && !done) {
        process.kill(pid, 'SIGKILL');
        await exited;
      }
    },
  };
}

/** Polls `check` until it returns a value other than undefined, or throws `describeFailure()` at the deadline. */
export async function waitUntil<T>(args: {
  check: () => Promise<T | undefined> | T | undefined;
  timeoutMs: number;
  intervalMs?: number;
  describeFailure: () => string;
}): Promise<T> {
  const deadline = Date.now() + args.timeoutMs;
  for (;;) {
    const value = await args.check();
    if (value !== undefined) return value;
    if (Date.now() >= deadline) throw new Error(args.describeFailure());
    await sleep(args.intervalMs ?? 100);
  }
}
