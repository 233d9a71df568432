import { spawn, type ChildProcess } from 'node:child_process';

export function startProcess(command: string, args: string[], env: Record<string, string>): ChildProcess {
  return spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
}

export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
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

/** Runs autocannon in its own process (so the load generator does not share the server's event loop). */
export async function autocannon(args: string[]): Promise<{ requestsPerSecond: number; non2xx: number; errors: number; p99: number }> {
  const child = spawn('node_modules/.bin/autocannon', ['--json', ...args], { stdio: ['ignore', 'pipe', 'ignore'] });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await new Promise((resolve) => child.once('exit', resolve));
  const result = JSON.parse(output) as { requests: { average: number }; non2xx: number; errors: number; latency: { p99: number } };
  return { requestsPerSecond: result.requests.average, non2xx: result.non2xx, errors: result.errors, p99: result.latency.p99 };
}
