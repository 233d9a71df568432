import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import { migratePostgres } from './migrate.ts';
import { listenOnPostgres } from './postgres-listen.ts';
import { holdSessionLockOnPostgres } from './session-lock.ts';
import type { Database, DatabaseHandle } from './database.ts';

/**
 * How long a query waits for a connection (a new one, or a free one from a busy pool) before it fails as
 * `database_unavailable`: a request must not hang on a database that does not answer.
 */
export const CONNECTION_TIMEOUT_MS = 5_000;

/** A pool of `poolSize` connections to the PostgreSQL at `databaseUrl`. Applies migrations. */
export async function openPostgres(databaseUrl: string, poolSize: number): Promise<DatabaseHandle> {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: poolSize,
    connectionTimeoutMillis: CONNECTION_TIMEOUT_MS,
    // TCP keep-alive finds a server that vanished without closing the socket (a host gone, a cable cut).
    keepAlive: true,
  });
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
  // node-postgres takes its own listener off a client while it is checked out, so a connection lost during a
  // query (the server restarting, pg_terminate_backend) would be an unhandled 'error' event that kills the
  // process. The query itself fails (and the request with it, as database_unavailable); the pool drops the
  // broken client when it comes back.
  pool.on('connect', (client) => client.on('error', () => {}));
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
