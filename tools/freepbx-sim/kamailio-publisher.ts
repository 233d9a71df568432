import { createHash } from 'node:crypto';
import pg from 'pg';
import type { LiveExtension } from './state.ts';

/** The part of a SQL client used here; node-postgres and PGlite both fit. */
export interface SqlClient {
  query(text: string, params?: unknown[]): Promise<{ rows: unknown[] }>;
}

const md5 = (text: string) => createHash('md5').update(text).digest('hex');

/**
 * Makes Kamailio's `subscriber` table hold exactly the live extensions for `domain`: the simulator owns that
 * domain, so rows for extensions that are gone (or from an earlier run) are removed. This is what lets a real
 * softphone register only after Apply Config.
 */
export async function syncSubscribers(db: SqlClient, domain: string, live: LiveExtension[]): Promise<void> {
  await db.query('BEGIN');
  try {
    const existing = await db.query('SELECT username FROM subscriber WHERE domain = $1', [domain]);
    const present = new Set((existing.rows as Array<{ username: string }>).map((row) => row.username));
    for (const { extensionId: username, secret } of live) {
      const ha1 = md5(`${username}:${domain}:${secret}`);
      const ha1b = md5(`${username}@${domain}:${domain}:${secret}`);
      if (present.has(username)) {
        await db.query('UPDATE subscriber SET password = $3, ha1 = $4, ha1b = $5 WHERE username = $1 AND domain = $2', [
          username, domain, secret, ha1, ha1b,
        ]);
      } else {
        await db.query('INSERT INTO subscriber (username, domain, password, ha1, ha1b) VALUES ($1, $2, $3, $4, $5)', [
          username, domain, secret, ha1, ha1b,
        ]);
      }
    }
    const wanted = new Set(live.map((entry) => entry.extensionId));
    for (const username of present) {
      if (!wanted.has(username)) await db.query('DELETE FROM subscriber WHERE username = $1 AND domain = $2', [username, domain]);
    }
    await db.query('COMMIT');
  } catch (error) {
    await db.query('ROLLBACK').catch(() => {});
    throw error;
  }
}

/** Where to publish: a database URL (node-postgres), or an open client (tests pass a PGlite). */
export type KamailioPublishing = { domain: string } & ({ databaseUrl: string } | { db: SqlClient });

export function createKamailioPublisher(options: KamailioPublishing) {
  if ('db' in options) {
    return {
      publish: (live: LiveExtension[]) => syncSubscribers(options.db, options.domain, live),
      close: async () => {},
    };
  }
  const pool = new pg.Pool({ connectionString: options.databaseUrl, max: 1 });
  return {
    async publish(live: LiveExtension[]): Promise<void> {
      const client = await pool.connect();
      try {
        await syncSubscribers(client, options.domain, live);
      } finally {
        client.release();
      }
    },
    async close(): Promise<void> {
      await pool.end();
    },
  };
}

export type KamailioPublisher = ReturnType<typeof createKamailioPublisher>;
