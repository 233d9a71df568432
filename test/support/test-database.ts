import fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { inject } from 'vitest';
import type { DatabaseHandle } from '../../src/db/database.ts';
import { migratePgliteClient, migratePostgres } from '../../src/db/migrate.ts';
import { wrapPglite } from '../../src/db/pglite.ts';
import { wrapPostgresPool } from '../../src/db/postgres.ts';

/**
 * The suite runs on whichever engine the environment names: real PostgreSQL when DATABASE_URL is set
 * (a fresh database per test file, dropped afterwards), else embedded PGlite.
 * A PostgreSQL that cannot be reached fails the tests: it never turns into a silent skip.
 */
export const testDatabaseEngine: 'postgres' | 'pglite' = process.env.DATABASE_URL ? 'postgres' : 'pglite';

export interface TestDatabase {
  handle: DatabaseHandle;
  /** The URL of this file's own PostgreSQL database (postgres engine only). */
  url: string | undefined;
  close(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  return testDatabaseEngine === 'postgres' ? createPostgresDatabase(process.env.DATABASE_URL!) : createPgliteDatabase();
}

async function createPgliteDatabase(): Promise<TestDatabase> {
  // globalSetup migrated one database and dumped it: loading the dump is faster than creating and migrating.
  const dump = inject('pgliteDump');
  let client: PGlite;
  if (dump) {
    // A dump that was promised but is gone must not turn into an empty, unmigrated database.
    if (!fs.existsSync(dump)) {
      throw new Error(`The migrated PGlite dump from test/support/global-setup.ts is missing (${dump}): was it removed while tests ran?`);
    }
    client = await PGlite.create({ loadDataDir: new Blob([fs.readFileSync(dump)]) });
  } else {
    // No globalSetup in this run (the e2e config has none): the slow way, creating and migrating here.
    client = await PGlite.create();
    await migratePgliteClient(client);
  }
  const handle = wrapPglite(client);
  return { handle, url: undefined, close: () => handle.close() };
}

/** A fresh, migrated database on the PostgreSQL server at `serverUrl` (dropped on close), whatever the engine of this run. */
export async function createPostgresDatabase(serverUrl: string): Promise<TestDatabase> {
  const name = `vt_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const pool = new pg.Pool({ connectionString: url.toString(), max: 10 });
  await migratePostgres(pool);
  const handle = wrapPostgresPool(pool);
  return {
    handle,
    url: url.toString(),
    async close() {
      await handle.close();
      const cleanup = new pg.Client({ connectionString: serverUrl });
      await cleanup.connect();
      await cleanup.query(`drop database if exists ${name} with (force)`);
      await cleanup.end();
    },
  };
}
