import { index, integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { sipAccounts } from '../sip-accounts/sip-accounts.table.ts';

/** once: used up by the first Linphone fetch; device: bound to the first fetching device until expiry. */
export type ProvisioningLinkMode = 'once' | 'device';

/**
 * One-time remote-provisioning links. The token is a capability as good as the SIP secret, so only its
 * SHA-256 is kept: a database leak yields no usable link.
 */
export const provisioningLinks = pgTable(
  'provisioning_links',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    sipAccountId: uuid('sip_account_id')
      .notNull()
      .references(() => sipAccounts.id, { onDelete: 'cascade' }),
    tokenHash: text('token_hash').notNull().unique(),
    /** The account's secret_version when the link was made: a rotation kills every earlier link. */
    secretVersion: integer('secret_version').notNull(),
    mode: text('mode').$type<ProvisioningLinkMode>().notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    consumedAt: timestamp('consumed_at', { withTimezone: true }),
    /** SHA-256 of the first consuming device's User-Agent and address (device mode). */
    deviceFingerprint: text('device_fingerprint'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [index('provisioning_links_sip_account_id_idx').on(table.sipAccountId)],
);

export type ProvisioningLinkRow = typeof provisioningLinks.$inferSelect;
