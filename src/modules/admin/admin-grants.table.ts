import { pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { users } from '../users/users.table.ts';

/**
 * Who is an admin by an explicit decision: a row per user an admin (or the CLI) granted or revoked. A grant
 * (`revoked_at` null) makes the user an admin; a revocation beats ADMIN_EMAILS, so an operator can cut off an
 * admin at once without editing the configuration of every instance. No row: ADMIN_EMAILS decides (a listed,
 * verified email). A table of its own rather than a `users.role` column: the grant keeps who made it and
 * when, a revocation can outlive the configuration, and the users row (read on every bearer request) stays
 * as it is. A trigger (hand-written in its migration) NOTIFYs `admin_role_changed` with the user id.
 */
export const adminGrants = pgTable('admin_grants', {
  userId: uuid('user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  grantedAt: timestamp('granted_at', { withTimezone: true }).notNull().defaultNow(),
  /** The admin who granted it; null when the CLI did. */
  grantedBy: uuid('granted_by'),
  /** Set by a revocation: the user is not an admin, whatever ADMIN_EMAILS says. */
  revokedAt: timestamp('revoked_at', { withTimezone: true }),
  revokedBy: uuid('revoked_by'),
});

export type AdminGrantRow = typeof adminGrants.$inferSelect;
