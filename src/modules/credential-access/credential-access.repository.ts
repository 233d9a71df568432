import { and, desc, eq, lt, or, sql } from 'drizzle-orm';
import type { Queryable } from '../../db/database.ts';
import { credentialAccessLog } from './credential-access.table.ts';

export interface AccessEntry {
  userId: string;
  channel: string;
  accessedAt: Date;
  address: string;
  userAgent: string | null;
  /** Identical deliveries within a second that this entry stands for (1: one delivery). */
  count: number;
}

/** Where a page ends: the last entry's time and id (the order of the index). */
export interface PageCursor {
  accessedAt: Date;
  id: number;
}

export function createCredentialAccessRepository({ db }: { db: Queryable }) {
  return {
    /**
     * One INSERT for the whole batch, each column passed as one array parameter: a VALUES list of five
     * placeholders per row costs many times more to build and to parse (measured: bench/access-log-overhead.ts).
     */
    async insertMany(entries: AccessEntry[]): Promise<void> {
      if (entries.length === 0) return;
      const column = <T>(pick: (entry: AccessEntry) => T) => sql.param(entries.map(pick));
      await db.execute(sql`
        insert into credential_access_log (user_id, channel, accessed_at, address, user_agent, count)
        select * from unnest(${column((entry) => entry.userId)}::uuid[], ${column((entry) => entry.channel)}::text[],
          ${column((entry) => entry.accessedAt.toISOString())}::timestamptz[], ${column((entry) => entry.address)}::text[],
          ${column((entry) => entry.userAgent)}::text[], ${column((entry) => entry.count)}::integer[])`);
    },

    /** Up to `limit` entries of the user, newest first, after `cursor` (exclusive). */
    async page(userId: string, limit: number, cursor?: PageCursor) {
      const log = credentialAccessLog;
      const after = cursor
        ? or(lt(log.accessedAt, cursor.accessedAt), and(eq(log.accessedAt, cursor.accessedAt), lt(log.id, cursor.id)))
        : undefined;
      return db
        .select({ id: log.id, channel: log.channel, accessedAt: log.accessedAt, address: log.address, userAgent: log.userAgent, count: log.count })
        .from(log)
        .where(and(eq(log.userId, userId), after))
        .orderBy(desc(log.accessedAt), desc(log.id))
        .limit(limit);
    },
  };
}

export type CredentialAccessRepository = ReturnType<typeof createCredentialAccessRepository>;
