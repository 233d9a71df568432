import { pgTable, timestamp, uuid } from 'drizzle-orm/pg-core';
import { sipAccounts } from '../sip-accounts/sip-accounts.table.ts';

/**
 * One row per account whose welcome mail was queued: the primary key keeps it to once per account, whatever
 * re-provisioning or rotation follows. Inserted in the transaction in which the account goes live.
 */
export const welcomeMails = pgTable('welcome_mails', {
  sipAccountId: uuid('sip_account_id')
    .primaryKey()
    .references(() => sipAccounts.id, { onDelete: 'cascade' }),
  /** The queued mail (outgoing_mails.id); set once it is queued, in the same transaction. */
  mailId: uuid('mail_id'),
  queuedAt: timestamp('queued_at', { withTimezone: true }).notNull().defaultNow(),
});
