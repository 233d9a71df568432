import { integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/** One row: the lease that keeps the retention sweep to one instance at a time. */
export const retentionLease = pgTable('retention_lease', {
  id: integer('id').primaryKey(),
  holder: text('holder'),
  /** A holder that died (killed) loses the lease after this; a live one renews it between batches. */
  expiresAt: timestamp('expires_at', { withTimezone: true }),
  lastFinishedAt: timestamp('last_finished_at', { withTimezone: true }),
});
