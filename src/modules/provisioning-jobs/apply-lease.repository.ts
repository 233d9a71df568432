import { and, eq, sql, type SQL } from 'drizzle-orm';
import type { Queryable } from '../../db/database.ts';
import { pbxApplyLease } from './apply-lease.table.ts';

/** The global Apply Config lease: one reload at a time across every instance on one database. */
export function createApplyLeaseRepository({ db }: { db: Queryable }) {
  return {
    /**
     * Takes the lease when it is free, run out, held by a worker `holderIsDead` says is gone, or held by
     * `holder` itself: a worker runs one reload at a time and asks only between them, so its own lease is one
     * whose release (or whose acquisition's answer) was lost with the database, not one in use. Returns the
     * database's start time and the reference of a reload an earlier holder left running (to wait for), or
     * undefined when another holds the lease.
     */
    async acquire({ holder, leaseMs, holderIsDead = () => sql`false` }: {
      holder: string;
      leaseMs: number;
      holderIsDead?: (holder: SQL) => SQL;
    }): Promise<{ startedAt: Date; earlierApplyRef: string | null } | undefined> {
      await db.insert(pbxApplyLease).values({ id: 1 }).onConflictDoNothing();
      const [row] = await db
        .update(pbxApplyLease)
        .set({
          holder,
          expiresAt: sql`now() + ${leaseMs} * interval '1 millisecond'`,
          lastStartedAt: sql`now()`,
        })
        .where(
          and(
            eq(pbxApplyLease.id, 1),
            sql`(${pbxApplyLease.holder} is null or ${pbxApplyLease.holder} = ${holder} or ${pbxApplyLease.expiresAt} < now() or ${holderIsDead(sql`${pbxApplyLease.holder}`)})`,
          ),
        )
        .returning({ startedAt: pbxApplyLease.lastStartedAt, earlierApplyRef: pbxApplyLease.applyRef });
      return row?.startedAt ? { startedAt: row.startedAt, earlierApplyRef: row.earlierApplyRef } : undefined;
    },

    /** The reload this holder started (or waited for): kept until it ends, for a holder that takes over. */
    async noteApplyRef({ holder, ref }: { holder: string; ref: string | null }): Promise<void> {
      await db
        .update(pbxApplyLease)
        .set({ applyRef: ref })
        .where(and(eq(pbxApplyLease.id, 1), eq(pbxApplyLease.holder, holder)));
    },

    async renew({ holder, leaseMs }: { holder: string; leaseMs: number }): Promise<void> {
      await db
        .update(pbxApplyLease)
        .set({ expiresAt: sql`now() + ${leaseMs} * interval '1 millisecond'` })
        .where(and(eq(pbxApplyLease.id, 1), eq(pbxApplyLease.holder, holder)));
    },

    /** The holder's reload ended (whatever its outcome): nothing is left running on the PBX. */
    async release({ holder, error }: { holder: string; error: string | null }): Promise<void> {
      await db
        .update(pbxApplyLease)
        .set({ holder: null, expiresAt: null, applyRef: null, lastFinishedAt: sql`now()`, lastError: error })
        .where(and(eq(pbxApplyLease.id, 1), eq(pbxApplyLease.holder, holder)));
    },
  };
}

export type ApplyLeaseRepository = ReturnType<typeof createApplyLeaseRepository>;
