import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import * as schema from './schema.ts';
import { lockDataDirectory } from './data-dir-lock.ts';
import type { Database, DatabaseHandle } from './database.ts';

export const migrationsFolder = fileURLToPath(new URL('./migrations', import.meta.url));
// Any fixed number: serialises migrations when several instances start at once on one PostgreSQL.
const MIGRATION_LOCK_KEY = 7_342_001;

/** PostgreSQL when a URL is given, else the embedded PGlite kept in `dataDir/pgdata`. Applies migrations. */
export async function openDatabase(args: { databaseUrl?: string; dataDir: string; poolSize: number }): Promise<DatabaseHandle> {
  if (args.databaseUrl) {
    const pool = new pg.Pool({ connectionString: args.databaseUrl, max: args.poolSize });
    const handle = wrapPostgresPool(pool);
    try {
      await migratePostgres(pool);
    } catch (error) {
      await pool.end();
      throw error;
    }
    return handle;
  }
  const directory = path.join(args.dataDir, 'pgdata');
  fs.mkdirSync(directory, { recursive: true });
  const unlock = lockDataDirectory(args.dataDir);
  try {
    const client = await PGlite.create(directory);
    const handle = wrapPglite(client);
    await migratePglite(drizzlePglite(client, { schema }), { migrationsFolder }).catch(async (error: unknown) => {
      await client.close();
      throw error;
    });
    return { ...handle, close: () => handle.close().finally(unlock) };
  } catch (error) {
    unlock();
    throw error;
  }
}

export function wrapPglite(client: PGlite): DatabaseHandle {
  const db = drizzlePglite(client, { schema }) as unknown as Database;
  return {
    db,
    kind: 'pglite',
    ping: async () => void (await db.execute(sql`select 1`)),
    // One in-process engine: notifications cannot be missed, so there is never a reset.
    listen: async ({ channel, onNotify, onReady }) => {
      const unlisten = await client.listen(channel, onNotify);
      onReady();
      return () => unlisten();
    },
    close: () => client.close(),
  };
}

export function wrapPostgresPool(pool: pg.Pool): DatabaseHandle {
  // An idle client dropped by the server must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  const db = drizzlePg(pool, { schema }) as unknown as Database;
  return {
    db,
    kind: 'postgres',
    ping: async () => void (await db.execute(sql`select 1`)),
    listen: (args) => listenOnPostgres(pool.options, args),
    close: () => pool.end(),
  };
}

/**
 * LISTEN needs a connection of its own that stays open. When it drops, notifications may be lost: `onReset`
 * lets the caller stop trusting what it derived from them, and the connection is re-opened with backoff.
 */
async function listenOnPostgres(
  options: pg.PoolConfig,
  { channel, onNotify, onReset, onReady }: { channel: string; onNotify: (payload: string) => void; onReset: () => void; onReady: () => void },
): Promise<() => Promise<void>> {
  let client: pg.Client | undefined;
  let stopped = false;
  let retryDelayMs = 250;
  let retryTimer: NodeJS.Timeout | undefined;

  const connect = async (): Promise<void> => {
    const next = new pg.Client(options);
    next.on('notification', (message) => message.channel === channel && onNotify(message.payload ?? ''));
    next.on('error', () => {}); // 'end' follows and handles it
    next.on('end', () => {
      if (stopped || client !== next) return;
      client = undefined;
      onReset();
      scheduleReconnect();
    });
    client = next;
    try {
      await next.connect();
      await next.query(`LISTEN "${channel.replaceAll('"', '""')}"`);
      retryDelayMs = 250;
      onReady();
    } catch {
      if (client === next) client = undefined;
      await next.end().catch(() => {});
      onReset();
      scheduleReconnect();
    }
  };
  const scheduleReconnect = () => {
    if (stopped) return;
    retryTimer = setTimeout(() => void connect(), retryDelayMs);
    retryDelayMs = Math.min(retryDelayMs * 2, 10_000);
  };

  await connect();
  return async () => {
    stopped = true;
    clearTimeout(retryTimer);
    await client?.end().catch(() => {});
  };
}

export async function migratePostgres(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    await migratePg(drizzlePg(client, { schema }), { migrationsFolder });
  } finally {
    await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => {});
    client.release();
  }
}

export async function migratePgliteClient(client: PGlite): Promise<void> {
  await migratePglite(drizzlePglite(client, { schema }), { migrationsFolder });
}
