import { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';
import type { DatabaseHandle } from '../../db/database.ts';
import { createNotifiedCache } from '../../db/notified-cache.ts';
import type { SessionsRepository } from './sessions.repository.ts';

/**
 * Answers "is this session still live?" for every authenticated request without a database round trip, the
 * way the account cache does (sip-accounts/account-cache.ts), on the same LRU evicted by NOTIFY
 * (db/notified-cache.ts):
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
  const live = createNotifiedCache<{ userId: string; expiresAt: number }>({
    database,
    channel: 'session_ended',
    logger,
    what: 'Session',
    interruptedWarning: 'Session end notifications interrupted: every session is checked in the database until they resume',
    maxEntries,
    ttlMs,
  });
  const ended = new LRUCache<string, true>({ max: maxEntries });

  async function readLive(sessionId: string, userId: string): Promise<boolean> {
    const readToken = live.beginRead();
    const found = await findLive(sessionId);
    if (!found) {
      ended.set(sessionId, true);
      return false;
    }
    live.set(sessionId, { userId: found.userId, expiresAt: found.expiresAt.getTime() }, readToken);
    return found.userId === userId;
  }

  return {
    start: live.start,
    stop: live.stop,

    /** True while session end notices arrive, so live sessions are served from memory. */
    get listening(): boolean {
      return live.listening;
    },

    /**
     * Whether `sessionId` is a live session of `userId`: synchronously from memory when it can (the hot
     * path then costs no promise), else a promise of the database's answer.
     */
    isLive(sessionId: string, userId: string): boolean | Promise<boolean> {
      if (ended.has(sessionId)) return false;
      const cached = live.get(sessionId);
      if (cached && cached.expiresAt > now()) return cached.userId === userId;
      return readLive(sessionId, userId);
    },

    /** Sessions this instance ended and committed: refused here from now on. */
    forget(sessionIds: readonly string[]): void {
      for (const sessionId of sessionIds) {
        live.forget(sessionId);
        ended.set(sessionId, true);
      }
    },
  };
}

export type SessionCache = ReturnType<typeof createSessionCache>;
