import { index, integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

export type JobKind = 'create' | 'update' | 'delete';
/**
 * queued → running → done, or back to queued with a later run_at after a retryable failure, or failed.
 * awaiting_apply: the PBX accepted the change but it is live only after a global apply (FreePBX reload)
 * that starts after pbx_changed_at.
 */
export type JobState = 'queued' | 'running' | 'awaiting_apply' | 'done' | 'failed';

/**
 * The jobs' foreign key names `sip_accounts(id)` by table and column only: the queue works for accounts
 * without importing their module (see account-provisioning.port.ts). This declaration is never exported to
 * the schema, so the real `sip_accounts` table stays defined once, in sip-accounts.table.ts.
 */
const sipAccountsKey = pgTable('sip_accounts', { id: uuid('id').primaryKey() });

export const provisioningJobs = pgTable(
  'provisioning_jobs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    sipAccountId: uuid('sip_account_id').references(() => sipAccountsKey.id, { onDelete: 'set null' }),
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
  (table) => [
    index('provisioning_jobs_state_run_at_idx').on(table.state, table.runAt),
    // An account's jobs in order: its latest (GET /auth/me), its older unfinished ones (claims), and what
    // the retention sweep keeps. Without it each of those reads the whole table.
    index('provisioning_jobs_sip_account_id_created_at_idx').on(table.sipAccountId, table.createdAt),
  ],
);

export type JobRow = typeof provisioningJobs.$inferSelect;
