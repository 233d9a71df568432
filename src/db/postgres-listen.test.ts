import { sql } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wrapPostgresPool } from './postgres.ts';
import type { DatabaseHandle } from './database.ts';

// Runs against the PostgreSQL server in both suite runs (like the Kamailio driver tests): the LISTEN
// connection's recovery is PostgreSQL-only behaviour, and PGlite cannot drop a connection.
const serverUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
let handle: DatabaseHandle;

beforeAll(() => {
  handle = wrapPostgresPool(new pg.Pool({ connectionString: serverUrl, max: 2 }));
});
afterAll(async () => {
  await handle?.close();
});

describe('LISTEN on PostgreSQL', () => {
  it('delivers notifications, reports a dropped connection, listens again and delivers again', async () => {
    const channel = `test_channel_${process.pid}_${Date.now()}`;
    const events: string[] = [];
    const unlisten = await handle.listen({
      channel,
      onNotify: (payload) => events.push(`notify:${payload}`),
      onReset: () => events.push('reset'),
      onReady: () => events.push('ready'),
    });
    try {
      await handle.db.execute(sql`select pg_notify(${channel}, 'one')`);
      await expect.poll(() => events, { timeout: 3000 }).toEqual(['ready', 'notify:one']);

      // An operator (or a failover) kills the listening session.
      const admin = new pg.Client({ connectionString: serverUrl });
      await admin.connect();
      await admin.query(`select pg_terminate_backend(pid) from pg_stat_activity where query = $1`, [`LISTEN "${channel}"`]);
      await admin.end();
      await expect.poll(() => events, { timeout: 5000 }).toEqual(['ready', 'notify:one', 'reset', 'ready']);

      await handle.db.execute(sql`select pg_notify(${channel}, 'two')`);
      await expect.poll(() => events.at(-1), { timeout: 3000 }).toBe('notify:two');
    } finally {
      await unlisten();
    }
  });
});
