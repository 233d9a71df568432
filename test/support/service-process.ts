import { spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import { startCommand } from '../../tools/testing/start-command.ts';

const root = path.resolve(import.meta.dirname, '../..');

/**
 * Starts the service as a real child process, as `npm start` runs it (the bundle test/support/global-setup.ts
 * built with tools/build.mjs, the start script's environment and Node flags), with only `env` (plus PATH and HOME); everything
 * it prints is appended to `output`.
 */
export function startServiceProcess(env: Record<string, string>, output: string[]): ChildProcess {
  const bundle = inject('serviceBundle');
  if (!bundle) throw new Error('No service bundle: test/support/global-setup.ts builds it (run through vitest.config.ts).');
  const start = startCommand();
  const child = spawn(process.execPath, [...start.nodeFlags, bundle], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? os.tmpdir(), ...start.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  return child;
}

export async function waitUntilReady(baseUrl: string, child: ChildProcess, output: string[]): Promise<void> {
  // Generous: a first start on a new data directory creates the embedded cluster in a child process, and CI
  // machines are shared.
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`service exited with ${child.exitCode}:\n${output.join('')}`);
    const ok = await fetch(`${baseUrl}/readyz`).then((r) => r.ok, () => false);
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`service not ready in time:\n${output.join('')}`);
}

/** Resolves with the exit code (or signal name) once the process has exited. */
export function exitOf(child: ChildProcess): Promise<number | string> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    if (child.signalCode !== null) return resolve(child.signalCode);
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
  });
}
