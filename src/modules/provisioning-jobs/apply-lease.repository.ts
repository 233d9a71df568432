import { and, eq, sql } from 'drizzle-orm';
import type { Queryable } from '../../db/database.ts';
import { pbxApplyLease } from './apply-lease.table.ts';

/** The global Apply Config lease: one reload at a time across every instance on one database. */
export function createApplyLeaseRepository({ db }: { db: Queryable }) {
  return {
    /** Takes the lease; returns the database's start time, or undefined when another holds it. */
    async acquire({ holder, leaseMs }: { holder: string; leaseMs: number }): Promise<Date | undefined> {
      await db.insert(pbxApplyLease).values({ id: 1 }).onConflictDoNothing();
      const [row] = await db
        .update(pbxApplyLease)
        .set({
          holder,
          expiresAt: sql`now() + ${leaseMs} * interval '1 millisecond'`,
          lastStartedAt: sql`now()`,
        })
        .where(and(eq(pbxApplyLease.id, 1), sql`(${pbxApplyLease.holder} is null or ${pbxApplyLease.expiresAt} < now())`))
        .returning({ startedAt: pbxApplyLease.lastStartedAt });
      return row?.startedAt ?? undefined;
    },

    async renew({ holder, leaseMs }: { holder: string; leaseMs: number }): Promise<void> {
      await db
        .update(pbxApplyLease)
        .set({ expiresAt: sql`now() + ${leaseMs} * interval '1 millisecond'` })
        .where(and(eq(pbxApplyLease.id, 1), eq(pbxApplyLease.holder, holder)));
    },

    async release({ holder, error }: { holder: string; error: string | null }): Promise<void> {
      await db
        .update(pbxApplyLease)
        .set({ holder: null, expiresAt: null, lastFinishedAt: sql`now()`, lastError: error })
        .where(and(eq(pbxApplyLease.id, 1), eq(pbxApplyLease.holder, holder)));
    },
  };
}

export type ApplyLeaseRepository = ReturnType<typeof createApplyLeaseRepository>;
