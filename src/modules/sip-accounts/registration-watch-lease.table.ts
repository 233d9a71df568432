import { integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * One row: keeps the registration watch to one pass at a time across every instance on one database, and to
 * one pass per interval for the whole fleet (each instance asking the PBX in turn would multiply its load).
 */
export const registrationWatchLease = pgTable('registration_watch_lease', {
  id: integer('id').primaryKey(),
  holder: text('holder'),
  /** A holder that died (killed) loses the lease after this. */
  expiresAt: timestamp('expires_at', { withTimezone: true }),
  /** When the last pass began, by whichever instance: the next is due an interval later. */
  lastStartedAt: timestamp('last_started_at', { withTimezone: true }),
});
