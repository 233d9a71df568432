import { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';
import type { DatabaseHandle } from '../../db/database.ts';
import type { SessionsRepository } from './sessions.repository.ts';

/**
 * Answers "is this session still live?" for every authenticated request without a database round trip, the
 * way the account cache does (sip-accounts/account-cache.ts):
 * - Live sessions are remembered (bounded, for `ttlMs` at most). A database trigger NOTIFYs `session_ended`
 *   with the session id whenever a session ends, on every instance, and the entry is dropped. While the
 *   listening connection is down, notices may be lost: live entries are then not trusted, and every check
 *   reads the database until listening works again.
 * - Ended sessions (or ids that never existed) are remembered too, even while the listener is down: an ended
 *   session never comes back, so that memory cannot go stale.
 * - `forget` drops sessions this instance has just ended, so its own next request is refused at once rather
 *   than when its notice comes round.
 */
export function createSessionCache({ database, findLive, logger, maxEntries = 50_000, ttlMs = 60_000, now = Date.now }: {
  database: Pick<DatabaseHandle, 'listen'>;
  findLive: SessionsRepository['findLive'];
  logger: Logger;
  maxEntries?: number;
  ttlMs?: number;
  now?: () => number;
}) {
  const live = new LRUCache<string, { userId: string; expiresAt: number }>({ max: maxEntries, ttl: ttlMs });
  const ended = new LRUCache<string, true>({ max: maxEntries });
  let trusted = false;
  let unlisten: (() => Promise<void>) | undefined;
  // Bumped by every notice and reset: a read that saw it change while in flight must not fill the cache.
  let generation = 0;
  const drop = (sessionId: string) => {
    generation += 1;
    live.delete(sessionId);
  };

  async function readLive(sessionId: string, userId: string): Promise<boolean> {
    const readToken = generation;
    const found = await findLive(sessionId);
    if (!found) {
      ended.set(sessionId, true);
      return false;
    }
    if (trusted && readToken === generation) live.set(sessionId, { userId: found.userId, expiresAt: found.expiresAt.getTime() });
    return found.userId === userId;
  }

  return {
    async start(): Promise<void> {
      unlisten = await database.listen({
        channel: 'session_ended',
        onNotify: drop,
        onReset: () => {
          if (trusted) logger.warn('Session end notifications interrupted: every session is checked in the database until they resume');
          trusted = false;
          generation += 1;
          live.clear();
        },
        onReady: () => {
          live.clear();
          trusted = true;
        },
      });
    },

    async stop(): Promise<void> {
      trusted = false;
      live.clear();
      await unlisten?.();
    },

    /** True while session end notices arrive, so live sessions are served from memory. */
    get listening(): boolean {
      return trusted;
    },

    /**
     * Whether `sessionId` is a live session of `userId`: synchronously from memory when it can (the hot
     * path then costs no promise), else a promise of the database's answer.
     */
    isLive(sessionId: string, userId: string): boolean | Promise<boolean> {
      if (ended.has(sessionId)) return false;
      const cached = trusted ? live.get(sessionId) : undefined;
      if (cached && cached.expiresAt > now()) return cached.userId === userId;
      return readLive(sessionId, userId);
    },

    /** Sessions this instance ended and committed: refused here from now on. */
    forget(sessionIds: readonly string[]): void {
      for (const sessionId of sessionIds) {
        drop(sessionId);
        ended.set(sessionId, true);
      }
    },
  };
}

export type SessionCache = ReturnType<typeof createSessionCache>;
