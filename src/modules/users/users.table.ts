import { sql } from 'drizzle-orm';
import { boolean, index, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** As the user typed it; uniqueness is case-insensitive (see the index). */
    email: text('email').notNull(),
    passwordHash: text('password_hash').notNull(),
    displayName: text('display_name'),
    isActive: boolean('is_active').notNull().default(true),
    /** When the person proved they read mail at `email` (POST /auth/verify-email); null until then. */
    emailVerifiedAt: timestamp('email_verified_at', { withTimezone: true }),
    /** Language of their mails and pages (en, es): chosen at sign-up; null for accounts from before. */
    locale: text('locale'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    /**
     * Set by DELETE /auth/me: from then on the user's logins, tokens, credentials and links are refused, until
     * the extension is off the PBX and the row is erased (see sip-accounts/account-provisioning.ts).
     */
    deletionRequestedAt: timestamp('deletion_requested_at', { withTimezone: true }),
  },
  (table) => [
    uniqueIndex('users_email_lower_key').on(sql`lower(${table.email})`),
    // The admin listing's order and keyset (GET /admin/users): newest first, one index range per page.
    index('users_created_at_id_idx').on(table.createdAt, table.id),
  ],
);

export type UserRow = typeof users.$inferSelect;
