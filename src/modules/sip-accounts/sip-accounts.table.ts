import { sql } from 'drizzle-orm';
import { index, integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { users } from '../users/users.table.ts';
import { extensionNumber } from './extension-number.ts';

/**
 * pending: allocated here, not yet live on the PBX; active: live; failed: provisioning gave up (see
 * last_error); deleting: being removed from the PBX; awaiting_verification: the number is held, but nothing
 * is on the PBX until the user verifies their email (EMAIL_VERIFICATION=required); disabled: an admin cut the
 * user off, so the extension is taken off the PBX (a delete job) while the number stays held for them.
 */
export type SipAccountStatus = 'pending' | 'active' | 'failed' | 'deleting' | 'awaiting_verification' | 'disabled';

export const sipAccounts = pgTable(
  'sip_accounts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .unique()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** Unique: two users can never hold the same number, whatever the concurrency. */
    extension: text('extension').notNull().unique(),
    /** AES-256-GCM sealed (see shared/crypto.ts); never stored or logged in clear. */
    secretCiphertext: text('secret_ciphertext').notNull(),
    /**
     * A rotation's new secret (sealed like the live one) while the PBX does not have it live yet; promoted to
     * `secret_ciphertext` (and `secret_version` bumped) when the update job is live. Null when none is under way.
     */
    nextSecretCiphertext: text('next_secret_ciphertext'),
    /** Bumped by each rotation, so a job knows which secret it pushes and old provisioning links die. */
    secretVersion: integer('secret_version').notNull().default(1),
    status: text('status').$type<SipAccountStatus>().notNull().default('pending'),
    lastError: text('last_error'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    activatedAt: timestamp('activated_at', { withTimezone: true }),
    /**
     * When the service first saw a phone registered with this account (registration-watch.ts asks the PBX);
     * null: not yet, or the PBX cannot tell. GET /auth/me then shows the account `registered`.
     */
    registeredAt: timestamp('registered_at', { withTimezone: true }),
    /** That phone's User-Agent, as the registrar stored it. */
    registeredUserAgent: text('registered_user_agent'),
  },
  // Numeric order of the numbers taken: extension allocation walks it (see extension-allocation.table.ts).
  (table) => [
    index('sip_accounts_extension_number_idx').on(extensionNumber(table.extension)),
    // GET /admin/users?status= and the counts of GET /admin/stats.
    index('sip_accounts_status_idx').on(table.status),
    // The live accounts no phone has registered with yet: what the registration watch asks the PBX about, and
    // GET /admin/users?status=active&registered=false when they are few (migration 0015's statistics tell the planner).
    index('sip_accounts_awaiting_registration_idx').on(table.activatedAt).where(sql`${table.status} = 'active' and ${table.registeredAt} is null`),
  ],
);

/**
 * Numbers not to hand out: taken on the PBX by someone else, or kept back by the operator (for ever), or
 * freed by a user who left (until `reusable_after`, EXTENSION_REUSE_AFTER later, so a new user does not get
 * the calls meant for the one who left; the retention sweep then deletes the row, which frees the number).
 */
export const reservedExtensions = pgTable(
  'reserved_extensions',
  {
    extension: text('extension').primaryKey(),
    reason: text('reason').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    /** Null: never handed out. Else handed out again once the retention sweep passes this time. */
    reusableAfter: timestamp('reusable_after', { withTimezone: true }),
  },
  (table) => [index('reserved_extensions_extension_number_idx').on(extensionNumber(table.extension))],
);

export type SipAccountRow = typeof sipAccounts.$inferSelect;
