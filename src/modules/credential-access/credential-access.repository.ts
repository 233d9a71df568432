import { and, desc, eq, lt, or, sql } from 'drizzle-orm';
import type { Queryable } from '../../db/database.ts';
import { credentialAccessLog } from './credential-access.table.ts';

export interface AccessEntry {
  userId: string;
  channel: string;
  accessedAt: Date;
  address: string;
  userAgent: string | null;
}

/** Where a page ends: the last entry's time and id (the order of the index). */
export interface PageCursor {
  accessedAt: Date;
  id: number;
}

export function createCredentialAccessRepository({ db }: { db: Queryable }) {
  return {
    /** One multi-row INSERT for the whole batch. */
    async insertMany(entries: AccessEntry[]): Promise<void> {
      if (entries.length > 0) await db.insert(credentialAccessLog).values(entries);
    },

    /** Up to `limit` entries of the user, newest first, after `cursor` (exclusive). */
    async page(userId: string, limit: number, cursor?: PageCursor) {
      const log = credentialAccessLog;
      const after = cursor
        ? or(lt(log.accessedAt, cursor.accessedAt), and(eq(log.accessedAt, cursor.accessedAt), lt(log.id, cursor.id)))
        : undefined;
      return db
        .select({ id: log.id, channel: log.channel, accessedAt: log.accessedAt, address: log.address, userAgent: log.userAgent })
        .from(log)
        .where(and(eq(log.userId, userId), after))
        .orderBy(desc(log.accessedAt), desc(log.id))
        .limit(limit);
    },

    /** Deletes up to `batch` entries older than `days` days; returns how many went. */
    async deleteOlderThan(days: number, batch: number): Promise<number> {
      const deleted = await db.execute(sql`
        delete from credential_access_log where id in (
          select id from credential_access_log where accessed_at < now() - make_interval(days => ${days}) limit ${batch})
        returning 1`);
      return (deleted as unknown as { rows: unknown[] }).rows.length;
    },
  };
}

export type CredentialAccessRepository = ReturnType<typeof createCredentialAccessRepository>;
