import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import { migratePostgres } from './migrate.ts';
import { listenOnPostgres } from './postgres-listen.ts';
import { holdSessionLockOnPostgres } from './session-lock.ts';
import type { Database, DatabaseHandle } from './database.ts';

/** A pool of `poolSize` connections to the PostgreSQL at `databaseUrl`. Applies migrations. */
export async function openPostgres(databaseUrl: string, poolSize: number): Promise<DatabaseHandle> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: poolSize });
  const handle = wrapPostgresPool(pool);
  try {
    await migratePostgres(pool);
  } catch (error) {
    await pool.end();
    throw error;
  }
  return handle;
}

export function wrapPostgresPool(pool: pg.Pool): DatabaseHandle {
  // An idle client dropped by the server must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  const db = drizzle(pool) as unknown as Database;
  return {
    db,
    kind: 'postgres',
    ping: async () => void (await db.execute(sql`select 1`)),
    listen: (args) => listenOnPostgres(pool.options, args),
    holdSessionLock: (args) => holdSessionLockOnPostgres(pool.options, args),
    close: () => pool.end(),
  };
}
