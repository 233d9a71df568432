import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { PGlite, type PGliteOptions } from '@electric-sql/pglite';

/**
 * PostgreSQL's 128 MB of shared buffers live inside PGlite's WebAssembly memory, which never shrinks, and the
 * operating system caches the data files anyway (PGlite reads real files): 16 MB holds the hot rows of a
 * service this size, and cut the idle process by ~100 MB.
 */
export const PGLITE_OPTIONS: PGliteOptions = {
  startParams: [...PGlite.defaultStartParams, '-c', 'shared_buffers=16MB'],
};

const initdbScript = fileURLToPath(new URL(`./pglite-initdb${path.extname(fileURLToPath(import.meta.url))}`, import.meta.url));

/**
 * Creates the cluster of a new data directory in a child process (see pglite-initdb.ts), into a sibling
 * directory renamed into place at the end, so a start killed half-way never leaves a half-made cluster.
 * Does nothing unless `directory` is missing or empty (anything else is PGlite's to judge, as before).
 */
export async function createClusterOnce(directory: string): Promise<void> {
  if (fs.existsSync(directory) && fs.readdirSync(directory).length > 0) return;
  const staging = `${directory}.initdb-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  try {
    await promisify(execFile)(process.execPath, [...initdbFlags(), initdbScript, staging], { timeout: 120_000 });
    fs.rmSync(directory, { recursive: true, force: true });
    fs.renameSync(staging, directory);
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

/** This process's Node flags, less a debugger's (its port is taken), plus tsx's loader when the script is TypeScript. */
function initdbFlags(): string[] {
  const flags = process.execArgv.filter((flag) => !flag.startsWith('--inspect'));
  const loadsTsx = flags.some((flag) => flag === 'tsx' || flag.includes('/tsx/'));
  return initdbScript.endsWith('.ts') && !loadsTsx ? [...flags, '--import', 'tsx'] : flags;
}
