import { index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { users } from '../users/users.table.ts';

/** Why a session ended, as stored in `revoke_reason`. */
export type SessionEndReason = 'logout' | 'logout_all' | 'ended_by_user' | 'refresh_token_reused' | 'password_changed' | 'password_reset' | 'account_deleted' | (string & {});

/**
 * One signed-in device: made at login, named by the `sid` claim of its access tokens, kept alive by
 * refreshing. An ended session (`revoked_at` set) is final, and a trigger (hand-written in its migration)
 * NOTIFYs `session_ended` so every instance's cache of live sessions drops it (see session-cache.ts).
 * `last_used_at`, address and user agent are those of the last login or refresh, not of every request: the
 * hot path writes nothing.
 */
export const sessions = pgTable(
  'sessions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }).notNull().defaultNow(),
    /** Slides forward by REFRESH_TOKEN_EXPIRE_DAYS at every refresh; once passed, no refresh can revive it. */
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    ipAddress: text('ip_address'),
    userAgent: text('user_agent'),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    revokeReason: text('revoke_reason').$type<SessionEndReason>(),
  },
  (table) => [index('sessions_user_id_idx').on(table.userId)],
);

/**
 * Every refresh token a session was given, by its SHA-256 only (a token is 256 random bits, so a fast hash
 * is enough). The newest unspent one is the session's live token; spent ones are kept for as long as they
 * would have lived, so that presenting one again is recognised as reuse and ends the session.
 */
export const refreshTokens = pgTable(
  'refresh_tokens',
  {
    tokenHash: text('token_hash').primaryKey(),
    sessionId: uuid('session_id').notNull().references(() => sessions.id, { onDelete: 'cascade' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    spentAt: timestamp('spent_at', { withTimezone: true }),
  },
  (table) => [index('refresh_tokens_session_id_idx').on(table.sessionId)],
);

export type SessionRow = typeof sessions.$inferSelect;
