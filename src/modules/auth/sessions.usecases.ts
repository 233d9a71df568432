import type { Logger } from 'pino';
import type { Database, Queryable } from '../../db/database.ts';
import { generateToken, sha256Hex } from '../../shared/crypto.ts';
import type { AccessTokens } from './access-tokens.ts';
import { inactiveUserError } from './auth.errors.ts';
import type { SessionCache } from './session-cache.ts';
import { invalidRefreshTokenError } from './sessions.errors.ts';
import { createSessionsRepository, type SessionClient } from './sessions.repository.ts';
import type { SessionEndReason, SessionRow } from './sessions.table.ts';

/** What a login, a refresh or a password change hands the client. */
export interface IssuedTokens {
  accessToken: string;
  refreshToken: string;
  sessionId: string;
}

/**
 * Sessions: started at login, kept alive by rotating refresh tokens, ended by logout, by the user, by a
 * password change, or by the reuse of a spent refresh token (OAuth 2.0 Security BCP, refresh token rotation).
 */
export function createSessionUseCases({ db, tokens, cache, lifetimeDays, logger }: {
  db: Database;
  tokens: Pick<AccessTokens, 'issue'>;
  cache: Pick<SessionCache, 'forget'>;
  /** REFRESH_TOKEN_EXPIRE_DAYS. */
  lifetimeDays: number;
  logger: Logger;
}) {
  const sessions = createSessionsRepository({ db });

  async function newRefreshToken(tx: Queryable, sessionId: string): Promise<string> {
    const refreshToken = generateToken(32);
    await createSessionsRepository({ db: tx }).insertRefreshToken(sessionId, sha256Hex(refreshToken));
    return refreshToken;
  }

  return {
    /** A new session for a user who just proved their password, inside `tx` when given; tokens valid once it commits. */
    async start(userId: string, client: SessionClient, tx?: Queryable): Promise<IssuedTokens> {
      const run = async (q: Queryable) => {
        const repository = createSessionsRepository({ db: q });
        await repository.pruneEnded(userId, lifetimeDays);
        const session = await repository.insert(userId, client, lifetimeDays);
        return { sessionId: session.id, refreshToken: await newRefreshToken(q, session.id) };
      };
      const { sessionId, refreshToken } = tx ? await run(tx) : await db.transaction(run);
      return { sessionId, refreshToken, accessToken: await tokens.issue(userId, sessionId) };
    },

    /**
     * Spends a refresh token for a new access token and a new refresh token. A spent one presented again
     * ends its whole session: either the thief or the owner holds a copy, and they cannot be told apart.
     */
    async refresh(refreshToken: string, client: SessionClient): Promise<IssuedTokens> {
      const tokenHash = sha256Hex(refreshToken);
      const outcome = await db.transaction(async (tx) => {
        const repository = createSessionsRepository({ db: tx });
        const sessionId = await repository.spendRefreshToken(tokenHash);
        if (!sessionId) return undefined;
        const found = await repository.lockLive(sessionId);
        if (!found) return undefined;
        // Thrown inside: the transaction rolls back, so the token is not spent and works again if the user is reactivated.
        if (!found.userActive) throw inactiveUserError({ detail: 'This account has been deactivated.' });
        await repository.touch(sessionId, client, lifetimeDays);
        return { userId: found.session.userId, sessionId, refreshToken: await newRefreshToken(tx, sessionId) };
      });
      if (outcome) return { ...outcome, accessToken: await tokens.issue(outcome.userId, outcome.sessionId) };

      const reusedIn = await sessions.sessionOfSpentToken(tokenHash);
      if (reusedIn) {
        const [ended] = await sessions.end({ sessionId: reusedIn }, 'refresh_token_reused');
        if (ended) {
          cache.forget([ended.id]);
          logger.warn({ sessionId: ended.id, userId: ended.userId }, 'A spent refresh token was presented again: its session is ended');
        }
      }
      throw invalidRefreshTokenError({ detail: 'The refresh token is unknown, expired or already used: log in again.' });
    },

    /** Ends one live session of the user; false when it is not theirs or not live. */
    async end(userId: string, sessionId: string, reason: SessionEndReason): Promise<boolean> {
      const ended = (await sessions.end({ userId, sessionId }, reason)).map((row) => row.id);
      cache.forget(ended);
      return ended.length > 0;
    },

    /**
     * Ends every live session of the user; returns their ids. Inside the caller's transaction `tx` when given:
     * they end when it commits (every instance learns through NOTIFY within milliseconds); call
     * `forget(ids)` after the commit so that this instance refuses them at once too.
     */
    async endAll(userId: string, reason: SessionEndReason, tx?: Queryable): Promise<string[]> {
      const ended = (await createSessionsRepository({ db: tx ?? db }).end({ userId }, reason)).map((row) => row.id);
      if (!tx) cache.forget(ended);
      return ended;
    },

    /** See endAll. */
    forget: (sessionIds: readonly string[]) => cache.forget(sessionIds),

    async list(userId: string): Promise<SessionRow[]> {
      return sessions.listLive(userId);
    },
  };
}

export type SessionUseCases = ReturnType<typeof createSessionUseCases>;
