import { bigint, index, integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/**
 * One row per delivery of a user's SIP secret (GET /sip/credentials, a format or its QR code, a provisioning
 * link fetched by Linphone), so the user can see who saw their credentials. Written behind the request in
 * batches (access-recorder.ts); erased with the user, and after ACCESS_LOG_RETENTION_DAYS.
 */
export const credentialAccessLog = pgTable(
  'credential_access_log',
  {
    // A sequence, not a uuid: cheaper to insert, and it orders rows of the same instant for paging.
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    // No foreign key: its check per row cost more than the rest of the insert together, and a batch must never
    // fail because one user was deleted meanwhile. A trigger on users erases a user's entries with them
    // (see the migration), and the retention sweep removes any written just after.
    userId: uuid('user_id').notNull(),
    /** json, linphone-xml, acrobits, acrobits/qr.png, …, provisioning_link (see sip-accounts/credential-access.port.ts). */
    channel: text('channel').notNull(),
    /** When the secret was handed out (taken at the request, not when the batch was written). */
    accessedAt: timestamp('accessed_at', { withTimezone: true, precision: 3 }).notNull(),
    /** The client address as the service sees it (TRUST_PROXY decides which X-Forwarded-For hop counts). */
    address: text('address').notNull(),
    userAgent: text('user_agent'),
    /** Identical deliveries (same channel, address and user agent) within a second share one row. */
    count: integer('count').notNull().default(1),
  },
  (table) => [
    // The one query of the route: a user's newest entries first.
    index('credential_access_log_user_idx').on(table.userId, table.accessedAt.desc(), table.id.desc()),
    // The retention sweep: BRIN is tiny and nearly free to keep up on a column that only grows.
    index('credential_access_log_accessed_at_brin').using('brin', table.accessedAt),
  ],
);

export type CredentialAccessRow = typeof credentialAccessLog.$inferSelect;
