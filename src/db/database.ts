import type { ExtractTablesWithRelations } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';

/**
 * The query builder, whichever engine is underneath (PGlite or PostgreSQL): repositories only see this.
 * Deliberately without the schema type: queries name their tables, so the database layer depends on no
 * feature module (drizzle-kit finds the tables by their file names, see drizzle.config.ts).
 */
export type Database = PgDatabase<PgQueryResultHKT>;
type NoSchema = Record<string, never>;
export type Transaction = PgTransaction<PgQueryResultHKT, NoSchema, ExtractTablesWithRelations<NoSchema>>;
/** Anything a repository can run queries on: the database itself or an open transaction. */
export type Queryable = Database | Transaction;

export interface DatabaseHandle {
  db: Database;
  kind: 'pglite' | 'postgres';
  /** Throws when the database does not answer (used by /readyz). */
  ping(): Promise<void>;
  /**
   * Subscribes to NOTIFY on `channel`. `onReset` is called whenever notifications may have been missed (the
   * listening connection dropped); `onReady` once listening works (again). Returns the unsubscribe function.
   */
  listen(args: { channel: string; onNotify: (payload: string) => void; onReset: () => void; onReady: () => void }): Promise<() => Promise<void>>;
  /**
   * PostgreSQL only: holds a session-level advisory lock on a connection of its own until the returned
   * function is called (see session-lock.ts). PGlite has one process per data directory, so needs none.
   */
  holdSessionLock?(args: { classId: number; name: string }): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/** Rows of a raw `db.execute(sql…)`: node-postgres and PGlite both answer `{ rows }`. */
export async function queryRows<T>(db: Queryable, query: import('drizzle-orm').SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown as { rows: T[] };
  return result.rows;
}
