import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * A database of its own, named `<prefix>_<random>`, on `serverUrl`'s PostgreSQL server, for a test file or a
 * benchmark run; `drop` removes it (call it whatever happens: `with (force)` ends connections left open).
 */
export async function createFreshPostgresDatabase(serverUrl: string, prefix: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const cleanup = new pg.Client({ connectionString: serverUrl });
      await cleanup.connect();
      try {
        await cleanup.query(`drop database if exists ${name} with (force)`);
      } finally {
        await cleanup.end();
      }
    },
  };
}

/** Runs `work` on a fresh database of its own on `serverUrl`'s server, dropped afterwards. */
export async function withFreshPostgresDatabase<T>(serverUrl: string, prefix: string, work: (url: string) => Promise<T>): Promise<T> {
  const database = await createFreshPostgresDatabase(serverUrl, prefix);
  try {
    return await work(database.url);
  } finally {
    await database.drop();
  }
}
