import { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';
import type { DatabaseHandle } from '../../db/database.ts';
import type { SipCredentials } from './sip-credentials.ts';

/**
 * The credentials of live accounts, as GET /sip/credentials answers them, kept in memory so that the hot path
 * needs no database round trip and no decryption (the process holds the encryption key anyway, so a
 * decrypted secret in its memory exposes nothing more). Correctness comes from the database, not from a timer: triggers NOTIFY `account_changed` with
 * the user id on every change of a user or SIP account row (migration 0002), on every instance, and the entry
 * is dropped. While the listening connection is down, notifications may be lost: the cache then empties and
 * is bypassed until listening works again. The TTL only bounds memory held by idle entries.
 */
export function createAccountCache({ database, logger, maxEntries = 10_000, ttlMs = 60_000, metrics }: {
  database: Pick<DatabaseHandle, 'listen'>;
  logger: Logger;
  maxEntries?: number;
  ttlMs?: number;
  /** Counts every lookup: a hit, a miss, or a bypass while change notices are down. */
  metrics?: { cacheLookup(result: 'hit' | 'miss' | 'bypass'): void };
}) {
  const entries = new LRUCache<string, SipCredentials>({ max: maxEntries, ttl: ttlMs });
  let trusted = false;
  let unlisten: (() => Promise<void>) | undefined;
  /**
   * Bumped on every change notice and every reset. A read that saw it change while in flight may hold data
   * older than the notice that has already passed, so it must not fill the cache.
   */
  let generation = 0;

  return {
    async start(): Promise<void> {
      unlisten = await database.listen({
        channel: 'account_changed',
        onNotify: (userId) => {
          generation += 1;
          entries.delete(userId);
        },
        onReset: () => {
          if (trusted) logger.warn('Account change notifications interrupted: account cache bypassed until they resume');
          trusted = false;
          generation += 1;
          entries.clear();
        },
        onReady: () => {
          entries.clear();
          trusted = true;
        },
      });
    },

    async stop(): Promise<void> {
      trusted = false;
      entries.clear();
      await unlisten?.();
    },

    /** True while change notifications arrive (the LISTEN connection is up), so the cache is in use; for /readyz. */
    get listening(): boolean {
      return trusted;
    },

    get(userId: string): SipCredentials | undefined {
      const found = trusted ? entries.get(userId) : undefined;
      metrics?.cacheLookup(found ? 'hit' : trusted ? 'miss' : 'bypass');
      return found;
    },

    /** Call before reading the database; pass the token to `set` with what was read. */
    beginRead(): number {
      return generation;
    },

    /**
     * Keeps the credentials of a live account read from the database (callers never pass others), unless a
     * change notice or a reset came in since `beginRead`.
     */
    set(userId: string, credentials: SipCredentials, readToken: number): void {
      if (trusted && readToken === generation) entries.set(userId, credentials);
    },
  };
}

export type AccountCache = ReturnType<typeof createAccountCache>;
