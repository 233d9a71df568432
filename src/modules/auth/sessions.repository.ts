import { and, desc, eq, gt, isNull, lt, or, sql } from 'drizzle-orm';
import type { Queryable } from '../../db/database.ts';
import { users } from '../users/users.table.ts';
import { refreshTokens, sessions, type SessionEndReason, type SessionRow } from './sessions.table.ts';

/** Where a login or refresh came from, as shown in GET /auth/sessions. */
export interface SessionClient {
  ipAddress: string;
  userAgent: string | undefined;
}

const live = () => and(isNull(sessions.revokedAt), gt(sessions.expiresAt, sql`now()`));
const daysFromNow = (days: number) => sql`now() + make_interval(days => ${days})`;
const daysAgo = (days: number) => sql`now() - make_interval(days => ${days})`;

/** Session and refresh-token queries; every time comes from the database's clock, shared by every instance. */
export function createSessionsRepository({ db }: { db: Queryable }) {
  return {
    async insert(userId: string, client: SessionClient, lifetimeDays: number): Promise<SessionRow> {
      const [row] = await db
        .insert(sessions)
        .values({ userId, ipAddress: client.ipAddress, userAgent: client.userAgent ?? null, expiresAt: daysFromNow(lifetimeDays) })
        .returning();
      return row!;
    },

    async insertRefreshToken(sessionId: string, tokenHash: string): Promise<void> {
      await db.insert(refreshTokens).values({ sessionId, tokenHash });
    },

    /**
     * Spends the token if it is unspent: one statement, so of two refreshes with one token the second waits
     * for the first's row lock and then finds it spent. Returns its session id, or undefined.
     */
    async spendRefreshToken(tokenHash: string): Promise<string | undefined> {
      const [row] = await db
        .update(refreshTokens)
        .set({ spentAt: sql`now()` })
        .where(and(eq(refreshTokens.tokenHash, tokenHash), isNull(refreshTokens.spentAt)))
        .returning({ sessionId: refreshTokens.sessionId });
      return row?.sessionId;
    },

    /** The session of a token that was spent already: presenting it again is reuse. */
    async sessionOfSpentToken(tokenHash: string): Promise<string | undefined> {
      const [row] = await db
        .select({ sessionId: refreshTokens.sessionId })
        .from(refreshTokens)
        .where(and(eq(refreshTokens.tokenHash, tokenHash), sql`${refreshTokens.spentAt} is not null`))
        .limit(1);
      return row?.sessionId;
    },

    /** A live session with its user's state, locked until the transaction ends. */
    async lockLive(sessionId: string): Promise<{ session: SessionRow; userActive: boolean } | undefined> {
      const [row] = await db
        .select({ session: sessions, userActive: users.isActive })
        .from(sessions)
        .innerJoin(users, eq(users.id, sessions.userId))
        .where(and(eq(sessions.id, sessionId), live()))
        .for('update', { of: sessions });
      return row;
    },

    /** After a refresh: the session lives on, and spent tokens past their lifetime are dropped. */
    async touch(sessionId: string, client: SessionClient, lifetimeDays: number): Promise<void> {
      await db
        .update(sessions)
        .set({ lastUsedAt: sql`now()`, expiresAt: daysFromNow(lifetimeDays), ipAddress: client.ipAddress, userAgent: client.userAgent ?? null })
        .where(eq(sessions.id, sessionId));
      await db.delete(refreshTokens).where(and(eq(refreshTokens.sessionId, sessionId), lt(refreshTokens.createdAt, daysAgo(lifetimeDays))));
    },

    /** Ends the live sessions matched: one (`sessionId`, of `userId` when given) or all of `userId`. */
    async end(where: { userId: string; sessionId?: string } | { sessionId: string }, reason: SessionEndReason): Promise<Array<{ id: string; userId: string }>> {
      return db
        .update(sessions)
        .set({ revokedAt: sql`now()`, revokeReason: reason })
        .where(and(
          'userId' in where ? eq(sessions.userId, where.userId) : undefined,
          where.sessionId ? eq(sessions.id, where.sessionId) : undefined,
          live(),
        ))
        .returning({ id: sessions.id, userId: sessions.userId });
    },

    /** Whether a session is live, for the bearer check; its user and end of life when it is. */
    async findLive(sessionId: string): Promise<{ userId: string; expiresAt: Date } | undefined> {
      const [row] = await db.select({ userId: sessions.userId, expiresAt: sessions.expiresAt }).from(sessions).where(and(eq(sessions.id, sessionId), live())).limit(1);
      return row;
    },

    async listLive(userId: string): Promise<SessionRow[]> {
      return db.select().from(sessions).where(and(eq(sessions.userId, userId), live())).orderBy(desc(sessions.lastUsedAt), desc(sessions.createdAt));
    },

    /** Sessions that ended (or lapsed) over `days` ago, with their tokens: kept that long for GET /auth/me/export. */
    async pruneEnded(userId: string, days: number): Promise<void> {
      await db
        .delete(sessions)
        .where(and(eq(sessions.userId, userId), or(lt(sessions.revokedAt, daysAgo(days)), lt(sessions.expiresAt, daysAgo(days)))));
    },
  };
}

export type SessionsRepository = ReturnType<typeof createSessionsRepository>;
