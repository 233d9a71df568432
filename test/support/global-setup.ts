import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { migratePgliteClient } from '../../src/db/migrate.ts';
import { buildService } from '../../tools/testing/start-command.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteDump: string;
    /** The service built as `npm start` builds it (tools/build.mjs), for tests that run it as a process. */
    serviceBundle: string;
  }
}

const root = path.resolve(import.meta.dirname, '../..');

/** Builds the service once per run, into a folder of its own inside the checkout (so its imports find node_modules). */
function buildServiceForRun(project: TestProject): () => void {
  const outdir = fs.mkdtempSync(path.join(root, '.build-'));
  project.provide('serviceBundle', buildService(outdir));
  return () => fs.rmSync(outdir, { recursive: true, force: true });
}

/**
 * Runs once per `vitest run`. Builds the service as `npm start` does. On PGlite: migrates one database and dumps it, so each test file loads the
 * dump (~1.5 s) instead of creating and migrating its own (~5 s). On PostgreSQL: proves the server answers,
 * so an unreachable server fails the run at once instead of in every file.
 */
export default async function setup(project: TestProject): Promise<() => void> {
  const removeBuild = buildServiceForRun(project);
  if (process.env.DATABASE_URL) {
    const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await client.connect().catch((error: Error) => {
      throw new Error(`DATABASE_URL is set but PostgreSQL cannot be reached (${error.message}): the PostgreSQL run must not be skipped.`);
    });
    const { rows } = await client.query<{ version: string }>('select version()');
    await client.end();
    console.log(`Test database engine: PostgreSQL (${rows[0]!.version.split(' ').slice(0, 2).join(' ')})`);
    return removeBuild;
  }
  const client = await PGlite.create();
  await migratePgliteClient(client);
  const dump = await client.dumpDataDir('gzip');
  await client.close();
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'vt-pglite-'));
  const file = path.join(directory, 'migrated.tar.gz');
  fs.writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
  project.provide('pgliteDump', file);
  console.log('Test database engine: PGlite (embedded)');
  return () => {
    fs.rmSync(directory, { recursive: true, force: true });
    removeBuild();
  };
}
