import { desc, eq, lt, sql } from 'drizzle-orm';
import type { Queryable } from '../../db/database.ts';
import { users } from '../users/users.table.ts';
import { adminAuditLog, type AuditLogRow } from './audit-log.table.ts';

export interface AuditEntry {
  /** The acting admin's user id; null for the CLI. */
  actorUserId: string | null;
  action: string;
  targetUserId?: string | null;
  address?: string | null;
  userAgent?: string | null;
  /** A small JSON object: never a password, secret, token or PBX credential. */
  detail?: Record<string, unknown>;
}

/**
 * The admin audit log. `record(tx, entry)` runs in the action's own transaction, so an action and its entry
 * commit together or not at all; the actor's email is copied in at that moment.
 */
export function createAuditLogRepository({ db }: { db: Queryable }) {
  return {
    /** Newest first, walking the primary key backward from `beforeId`; with each target's email now (null once erased). */
    async page(limit: number, beforeId?: number): Promise<Array<AuditLogRow & { targetEmail: string | null }>> {
      const rows = await db
        .select({ entry: adminAuditLog, targetEmail: users.email })
        .from(adminAuditLog)
        .leftJoin(users, eq(users.id, adminAuditLog.targetUserId))
        .where(beforeId === undefined ? undefined : lt(adminAuditLog.id, beforeId))
        .orderBy(desc(adminAuditLog.id))
        .limit(limit);
      return rows.map((row) => ({ ...row.entry, targetEmail: row.targetEmail }));
    },

    /** The latest entries about one user, newest first. */
    async forTarget(targetUserId: string, limit: number): Promise<AuditLogRow[]> {
      return db.select().from(adminAuditLog).where(eq(adminAuditLog.targetUserId, targetUserId)).orderBy(desc(adminAuditLog.id)).limit(limit);
    },
  };
}

export async function record(tx: Queryable, entry: AuditEntry): Promise<void> {
  await tx.insert(adminAuditLog).values({
    actorUserId: entry.actorUserId,
    actorEmail: entry.actorUserId ? sql`(select ${users.email} from ${users} where ${users.id} = ${entry.actorUserId})` : null,
    action: entry.action,
    targetUserId: entry.targetUserId ?? null,
    address: entry.address ?? null,
    userAgent: entry.userAgent ?? null,
    detail: entry.detail ?? {},
  });
}

export type AuditLogRepository = ReturnType<typeof createAuditLogRepository>;
