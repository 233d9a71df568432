import type { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';

/** A count (or a mere marker) and how long it has left to live. */
export interface Counter {
  count: number;
  ttlMs: number;
}

/** Expiring counters, shared by every instance (Redis) or kept by this one (memory). */
export interface ThrottleCounters {
  /** Adds one; the counter lives `ttlMs` from its first increment, or from this one with `slide`. */
  increment(key: string, ttlMs: number, slide?: boolean): Promise<number>;
  read(keys: string[]): Promise<Array<Counter | undefined>>;
  /** A marker that lives `ttlMs`. */
  mark(key: string, ttlMs: number): Promise<void>;
  remove(keys: string[]): Promise<void>;
}

/**
 * In this process only, bounded: the least recently touched counters go first, so a flood of made-up
 * emails costs memory, never all of it.
 */
export function createMemoryCounters({ maxEntries = 100_000, now = Date.now }: { maxEntries?: number; now?: () => number } = {}): ThrottleCounters {
  const entries = new LRUCache<string, { count: number; expiresAt: number }>({ max: maxEntries });
  const live = (key: string) => {
    const entry = entries.get(key);
    return entry && entry.expiresAt > now() ? entry : undefined;
  };
  return {
    async increment(key, ttlMs, slide = false) {
      const entry = live(key) ?? { count: 0, expiresAt: now() + ttlMs };
      entry.count += 1;
      if (slide) entry.expiresAt = now() + ttlMs;
      entries.set(key, entry);
      return entry.count;
    },
    async read(keys) {
      return keys.map((key) => {
        const entry = live(key);
        return entry && { count: entry.count, ttlMs: entry.expiresAt - now() };
      });
    },
    async mark(key, ttlMs) {
      entries.set(key, { count: 1, expiresAt: now() + ttlMs });
    },
    async remove(keys) {
      for (const key of keys) entries.delete(key);
    },
  };
}

/** In Redis (the rate limiter's connection), so every instance counts one attacker together. */
export function createRedisCounters(redis: Redis, prefix = 'voip-onboarding-api:login-throttle:'): ThrottleCounters {
  // While the connection is down, fail at once (the throttle then lets logins through) rather than make every
  // login wait out ioredis's reconnection delays, command after command.
  const connected = () => {
    if (redis.status !== 'ready') throw new Error(`Redis connection ${redis.status}`);
  };
  return {
    async increment(key, ttlMs, slide = false) {
      connected();
      const transaction = redis.multi().set(prefix + key, 0, 'PX', ttlMs, 'NX').incr(prefix + key);
      if (slide) transaction.pexpire(prefix + key, ttlMs);
      const results = await transaction.exec();
      const failed = results?.find(([error]) => error);
      if (!results || failed) throw failed?.[0] ?? new Error('Redis transaction aborted');
      return Number(results[1]![1]);
    },
    async read(keys) {
      connected();
      const pipeline = redis.pipeline();
      for (const key of keys) pipeline.get(prefix + key).pttl(prefix + key);
      const results = (await pipeline.exec()) ?? [];
      const failed = results.find(([error]) => error);
      if (failed) throw failed[0];
      return keys.map((_key, i) => {
        const count = results[2 * i]?.[1];
        const ttlMs = Number(results[2 * i + 1]?.[1]);
        return count === null || count === undefined || !(ttlMs > 0) ? undefined : { count: Number(count), ttlMs };
      });
    },
    async mark(key, ttlMs) {
      connected();
      await redis.set(prefix + key, 1, 'PX', ttlMs);
    },
    async remove(keys) {
      connected();
      if (keys.length > 0) await redis.del(...keys.map((key) => prefix + key));
    },
  };
}
