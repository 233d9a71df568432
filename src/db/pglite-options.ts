import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
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

// Plain JavaScript, so the child needs no TypeScript loader: it starts in a fraction of the time.
const INITDB_SCRIPT = `
const [pgliteUrl, directory] = process.argv.slice(1);
const { PGlite } = await import(pgliteUrl);
const client = await PGlite.create(directory);
await client.close();
`;

/**
 * Creates the cluster of a new data directory in a short-lived child process: PGlite's initdb runs a second
 * WebAssembly PostgreSQL beside the first, and a process that ran it keeps ~450 MB more resident for the rest of
 * its life. The cluster is made in a sibling directory renamed into place at the end, so a start killed half-way
 * never leaves a half-made cluster. Does nothing unless `directory` is missing or empty (anything else is
 * PGlite's to judge, as before).
 */
export async function createClusterOnce(directory: string): Promise<void> {
  if (fs.existsSync(directory) && fs.readdirSync(directory).length > 0) return;
  const staging = `${directory}.initdb-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  fs.mkdirSync(staging, { recursive: true });
  try {
    const pgliteUrl = import.meta.resolve('@electric-sql/pglite');
    await promisify(execFile)(process.execPath, ['--input-type=module', '-e', INITDB_SCRIPT, pgliteUrl, staging], { timeout: 120_000 });
    fs.rmSync(directory, { recursive: true, force: true });
    fs.renameSync(staging, directory);
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}
