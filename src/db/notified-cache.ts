import { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';
import type { DatabaseHandle } from './database.ts';

/**
 * An in-process LRU whose correctness comes from the database, not from a timer: a trigger NOTIFYs `channel`
 * with an entry's key whenever what it caches changes, on every instance, and the entry is dropped. While the
 * listening connection is down notices may be lost, so the cache empties and is bypassed (`get` answers
 * undefined) until listening works again. The TTL only bounds the memory idle entries hold.
 * The account cache (sip-accounts/account-cache.ts), the admin role cache (admin/admin-role-cache.ts) and the
 * session cache (auth/session-cache.ts) are built on it; new caches use it too.
 *
 * Reads that fill it: `const token = cache.beginRead()`, read the database, `cache.set(key, value, token)`.
 * A notice that came in while the read was in flight may describe a change the read did not see, so such a
 * read does not fill the cache.
 */
export function createNotifiedCache<V extends NonNullable<unknown>>({
  database,
  channel,
  logger,
  what,
  interruptedWarning = `${what} change notifications interrupted: the cache is bypassed until they resume`,
  maxEntries = 10_000,
  ttlMs = 60_000,
}: {
  database: Pick<DatabaseHandle, 'listen'>;
  /** The NOTIFY channel; each notice's payload is the key to drop. */
  channel: string;
  logger: Logger;
  /** What the cache holds, for the warning when notices are interrupted (e.g. "Admin role"). */
  what: string;
  /** The warning logged when notices are interrupted, if it should say more than the default built from `what`. */
  interruptedWarning?: string;
  maxEntries?: number;
  ttlMs?: number;
}) {
  const entries = new LRUCache<string, V>({ max: maxEntries, ttl: ttlMs });
  let trusted = false;
  let unlisten: (() => Promise<void>) | undefined;
  let generation = 0;
  const drop = (key: string) => {
    generation += 1;
    entries.delete(key);
  };

  return {
    async start(): Promise<void> {
      unlisten = await database.listen({
        channel,
        onNotify: drop,
        onReset: () => {
          if (trusted) logger.warn(interruptedWarning);
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

    /** True while change notices arrive, so the cache is in use. */
    get listening(): boolean {
      return trusted;
    },

    get(key: string): V | undefined {
      return trusted ? entries.get(key) : undefined;
    },

    beginRead(): number {
      return generation;
    },

    set(key: string, value: V, readToken: number): void {
      if (trusted && readToken === generation) entries.set(key, value);
    },

    /** Drops an entry this instance just changed (and committed): its next read goes to the database. */
    forget: drop,
  };
}

export type NotifiedCache<V extends NonNullable<unknown>> = ReturnType<typeof createNotifiedCache<V>>;
