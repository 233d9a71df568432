import { bigint, pgTable, timestamp } from 'drizzle-orm/pg-core';

/**
 * Where allocation for a range (keyed by its first number) starts looking: every number from the range's
 * first up to `next_candidate` is taken, or listed in `extension_holes`. It only moves up, and only past
 * numbers that are committed, so a sign-up that rolls back never leaves its number behind the cursor.
 */
export const extensionCursors = pgTable('extension_cursors', {
  rangeFirst: bigint('range_first', { mode: 'number' }).primaryKey(),
  nextCandidate: bigint('next_candidate', { mode: 'number' }).notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

/**
 * Numbers that were freed (an account deleted or moved, a reservation lifted), written by triggers, so that
 * allocation finds a freed number below a cursor without walking every taken number. A hole that is taken
 * again is dropped when allocation or the retention sweep meets it.
 */
export const extensionHoles = pgTable('extension_holes', {
  extensionNumber: bigint('extension_number', { mode: 'number' }).primaryKey(),
  freedAt: timestamp('freed_at', { withTimezone: true }).notNull().defaultNow(),
});
