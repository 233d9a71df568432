import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { PGlite } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import { lockDataDirectory } from './data-dir-lock.ts';
import { migratePgliteClient } from './migrate.ts';
import { createClusterOnce, PGLITE_OPTIONS } from './pglite-options.ts';
import type { Database, DatabaseHandle } from './database.ts';

/** The embedded PGlite kept in `dataDir/pgdata`, one process per DATA_DIR (data-dir lock). Applies migrations. */
export async function openPglite(dataDir: string): Promise<DatabaseHandle> {
  const directory = path.join(dataDir, 'pgdata');
  fs.mkdirSync(dataDir, { recursive: true });
  const unlock = lockDataDirectory(dataDir);
  try {
    await createClusterOnce(directory);
    const client = await PGlite.create(directory, PGLITE_OPTIONS);
    const handle = wrapPglite(client);
    await migratePgliteClient(client).catch(async (error: unknown) => {
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
  const db = drizzle(client) as unknown as Database;
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
