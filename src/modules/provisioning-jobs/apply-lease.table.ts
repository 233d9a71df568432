import { integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/** One row: the lease that keeps Apply Config to one run at a time across every instance. */
export const pbxApplyLease = pgTable('pbx_apply_lease', {
  id: integer('id').primaryKey(),
  holder: text('holder'),
  expiresAt: timestamp('expires_at', { withTimezone: true }),
  lastStartedAt: timestamp('last_started_at', { withTimezone: true }),
  lastFinishedAt: timestamp('last_finished_at', { withTimezone: true }),
  lastError: text('last_error'),
  /**
   * The PBX's reference of the reload under way (FreePBX's transaction id), cleared when it ends. Left set by
   * a holder that died (or stopped) mid-reload, so the next holder waits for that reload before its own.
   */
  applyRef: text('apply_ref'),
});
