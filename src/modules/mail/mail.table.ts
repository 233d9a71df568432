import { index, integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/** queued → sending → sent, or back to queued with a later run_at after a retryable failure, or failed. */
export type MailState = 'queued' | 'sending' | 'sent' | 'failed';

/**
 * The durable mail queue: a row is inserted in the transaction of the change that causes the mail, so the mail
 * exists exactly when the change does. The recipient and the template's parameters (which may hold the one
 * single-use token the mail carries) are sealed together with AES-256-GCM in `payload_ciphertext`, and erased
 * once the mail is sent or has failed for good: a sent row keeps no token and no address.
 */
export const outgoingMails = pgTable(
  'outgoing_mails',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    template: text('template').notNull(),
    locale: text('locale').notNull(),
    payloadCiphertext: text('payload_ciphertext'),
    state: text('state').$type<MailState>().notNull().default('queued'),
    attempts: integer('attempts').notNull().default(0),
    runAt: timestamp('run_at', { withTimezone: true }).notNull().defaultNow(),
    /** A crashed worker's mail becomes claimable again when its lease runs out. */
    lockedUntil: timestamp('locked_until', { withTimezone: true }),
    lockedBy: text('locked_by'),
    /** An error code only (e.g. `smtp_451`, `ECONNREFUSED`): a server's reply text may quote the recipient. */
    lastError: text('last_error'),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [index('outgoing_mails_state_run_at_idx').on(table.state, table.runAt)],
);

export type OutgoingMailRow = typeof outgoingMails.$inferSelect;
