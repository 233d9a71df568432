import { openPglite } from './pglite.ts';
import { openPostgres } from './postgres.ts';
import type { DatabaseHandle } from './database.ts';

/** PostgreSQL when a URL is given, else the embedded PGlite kept in `dataDir/pgdata`. Applies migrations. */
export async function openDatabase(args: { databaseUrl?: string; dataDir: string; poolSize: number }): Promise<DatabaseHandle> {
  return args.databaseUrl ? openPostgres(args.databaseUrl, args.poolSize) : openPglite(args.dataDir);
}
