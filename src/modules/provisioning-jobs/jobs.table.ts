import { index, integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { sipAccounts } from '../sip-accounts/sip-accounts.table.ts';

export type JobKind = 'create' | 'update' | 'delete';
/**
 * queued → running → done, or back to queued with a later run_at after a retryable failure, or failed.
 * awaiting_apply: the PBX accepted the change but it is live only after a global apply (FreePBX reload)
 * that starts after pbx_changed_at.
 */
export type JobState = 'queued' | 'running' | 'awaiting_apply' | 'done' | 'failed';

export const provisioningJobs = pgTable(
  'provisioning_jobs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    sipAccountId: uuid('sip_account_id').references(() => sipAccounts.id, { onDelete: 'set null' }),
    /** Kept on the job so a delete can finish after the account row is gone. */
    extension: text('extension').notNull(),
    kind: text('kind').$type<JobKind>().notNull(),
    state: text('state').$type<JobState>().notNull().default('queued'),
    /** The secret version this job pushes; a newer rotation supersedes it. */
    secretVersion: integer('secret_version').notNull().default(1),
    attempts: integer('attempts').notNull().default(0),
    runAt: timestamp('run_at', { withTimezone: true }).notNull().defaultNow(),
    /** A crashed worker's job becomes claimable again when its lease runs out. */
    lockedUntil: timestamp('locked_until', { withTimezone: true }),
    lockedBy: text('locked_by'),
    pbxChangedAt: timestamp('pbx_changed_at', { withTimezone: true }),
    lastError: text('last_error'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [index('provisioning_jobs_state_run_at_idx').on(table.state, table.runAt)],
);

/** One row: the lease that keeps Apply Config to one run at a time across every instance. */
export const pbxApplyLease = pgTable('pbx_apply_lease', {
  id: integer('id').primaryKey(),
  holder: text('holder'),
  expiresAt: timestamp('expires_at', { withTimezone: true }),
  lastStartedAt: timestamp('last_started_at', { withTimezone: true }),
  lastFinishedAt: timestamp('last_finished_at', { withTimezone: true }),
  lastError: text('last_error'),
});

export type JobRow = typeof provisioningJobs.$inferSelect;
