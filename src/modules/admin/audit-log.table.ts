import { bigint, index, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/**
 * Every admin action, written in the action's own transaction (audit-log.repository.ts). No foreign keys:
 * the log outlives the admins and the users it names (a deleted user's entries stay, with their id only).
 * `actor_email` is a copy taken at the time, so the log still says who acted after that admin is gone.
 */
export const adminAuditLog = pgTable(
  'admin_audit_log',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    at: timestamp('at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    /** The admin's user id; null for the CLI. */
    actorUserId: uuid('actor_user_id'),
    actorEmail: text('actor_email'),
    /** e.g. `user.disable`, `user.enable`, `user.delete`, `user.reprovision`, `user.rotate_secret`, `admin.grant`. */
    action: text('action').notNull(),
    targetUserId: uuid('target_user_id'),
    address: text('address'),
    userAgent: text('user_agent'),
    /** A small JSON object without secrets (an extension, a status, a count). */
    detail: jsonb('detail').$type<Record<string, unknown>>().notNull().default({}),
  },
  (table) => [index('admin_audit_log_target_idx').on(table.targetUserId, table.id)],
);

export type AuditLogRow = typeof adminAuditLog.$inferSelect;
