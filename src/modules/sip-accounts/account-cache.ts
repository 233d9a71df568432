import type { Logger } from 'pino';
import type { DatabaseHandle } from '../../db/database.ts';
import { createNotifiedCache } from '../../db/notified-cache.ts';
import type { SipCredentials } from './sip-credentials.ts';

/**
 * The credentials of live accounts, as GET /sip/credentials answers them, kept in memory so that the hot path
 * needs no database round trip and no decryption (the process holds the encryption key anyway, so a
 * decrypted secret in its memory exposes nothing more). Correctness comes from the database, not from a timer: triggers NOTIFY `account_changed` with
 * the user id on every change of a user or SIP account row (migration 0002), on every instance, and the entry
 * is dropped. While the listening connection is down, notifications may be lost: the cache then empties and
 * is bypassed until listening works again (db/notified-cache.ts). The TTL only bounds memory held by idle entries.
 */
export function createAccountCache({ database, logger, maxEntries = 10_000, ttlMs = 60_000, metrics }: {
  database: Pick<DatabaseHandle, 'listen'>;
  logger: Logger;
  maxEntries?: number;
  ttlMs?: number;
  /** Counts every lookup: a hit, a miss, or a bypass while change notices are down. */
  metrics?: { cacheLookup(result: 'hit' | 'miss' | 'bypass'): void };
}) {
  const cache = createNotifiedCache<SipCredentials>({ database, channel: 'account_changed', logger, what: 'Account', maxEntries, ttlMs });

  return {
    start: cache.start,
    stop: cache.stop,

    /** True while change notifications arrive (the LISTEN connection is up), so the cache is in use; for /readyz. */
    get listening(): boolean {
      return cache.listening;
    },

    get(userId: string): SipCredentials | undefined {
      const found = cache.get(userId);
      metrics?.cacheLookup(found ? 'hit' : cache.listening ? 'miss' : 'bypass');
      return found;
    },

    /** Call before reading the database; pass the token to `set` with what was read. */
    beginRead: cache.beginRead,

    /**
     * Keeps the credentials of a live account read from the database (callers never pass others), unless a
     * change notice or a reset came in since `beginRead`.
     */
    set: cache.set,

    /** Drops a user's entry this instance knows changed (committed): its next read goes to the database. */
    forget: cache.forget,
  };
}

export type AccountCache = ReturnType<typeof createAccountCache>;
