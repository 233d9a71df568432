import { index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { users } from '../users/users.table.ts';

/** What a mailed link lets its holder do, once. */
export type EmailTokenPurpose = 'verify_email' | 'reset_password' | 'invitation';

/**
 * Single-use tokens carried by mailed links (verify an email, reset a password, accept an invitation). The
 * token is as good as the password for its purpose, so only its SHA-256 is kept: a database leak yields no
 * usable link. `used_at` set once, by a conditional UPDATE, so a token presented twice at once works once.
 */
export const emailTokens = pgTable(
  'email_tokens',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    purpose: text('purpose').$type<EmailTokenPurpose>().notNull(),
    tokenHash: text('token_hash').notNull().unique(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    /** Set when the token was used, or superseded by a newer one of the same purpose. */
    usedAt: timestamp('used_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [index('email_tokens_user_id_purpose_idx').on(table.userId, table.purpose)],
);

export type EmailTokenRow = typeof emailTokens.$inferSelect;
