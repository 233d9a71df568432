import fs from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { inject } from 'vitest';
import type { DatabaseHandle } from '../../src/db/database.ts';
import { migratePgliteClient, migratePostgres } from '../../src/db/migrate.ts';
import { wrapPglite } from '../../src/db/pglite.ts';
import { wrapPostgresPool } from '../../src/db/postgres.ts';
import { createFreshPostgresDatabase } from '../../tools/testing/fresh-postgres-database.ts';

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

/**
 * A fresh PostgreSQL database even in the PGlite run, for tests whose subject is PostgreSQL-only (several
 * instances on one database): on DATABASE_URL's server, else on the shared server every run has.
 */
export async function createPostgresTestDatabase(): Promise<TestDatabase> {
  return createPostgresDatabase(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
}

async function createPostgresDatabase(serverUrl: string): Promise<TestDatabase> {
  const database = await createFreshPostgresDatabase(serverUrl, 'vt');
  const pool = new pg.Pool({ connectionString: database.url, max: 10 });
  await migratePostgres(pool);
  const handle = wrapPostgresPool(pool);
  return {
    handle,
    url: database.url,
    async close() {
      await handle.close();
      await database.drop();
    },
  };
}
