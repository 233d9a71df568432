import { and, eq, sql, type SQL } from 'drizzle-orm';
import type { Queryable } from '../../db/database.ts';
import { provisioningJobs, type JobKind, type JobRow } from './jobs.table.ts';

export function createJobsRepository({ db }: { db: Queryable }) {
  return {
    async enqueue(job: { sipAccountId: string; extension: string; kind: JobKind; secretVersion?: number }): Promise<JobRow> {
      const [row] = await db.insert(provisioningJobs).values(job).returning();
      return row!;
    },

    async findLatestForAccount(sipAccountId: string): Promise<JobRow | undefined> {
      const [row] = await db
        .select()
        .from(provisioningJobs)
        .where(eq(provisioningJobs.sipAccountId, sipAccountId))
        .orderBy(sql`${provisioningJobs.createdAt} desc`)
        .limit(1);
      return row;
    },

    /**
     * Takes up to `limit` due jobs for this worker. A job whose worker died is due again: at once when
     * `holderIsDead` tells (worker-liveness.ts), else when its lease has run out. A job still `running` for
     * this very worker is due again too: the worker claims only with nothing in hand, so such a claim is one
     * whose answer it lost (the connection dropped after the update committed) and it would otherwise sit
     * out its lease.
     * SKIP LOCKED lets several instances claim side by side; a job never overtakes an older unfinished
     * job of the same account, so a rotation cannot reach the PBX before the account's creation.
     */
    async claimDue({ workerId, limit, leaseMs, holderIsDead = () => sql`false` }: {
      workerId: string;
      limit: number;
      leaseMs: number;
      holderIsDead?: (holder: SQL) => SQL;
    }): Promise<JobRow[]> {
      // One statement, answered with the claimed rows: a claim whose answer is lost is one round trip, not two.
      return db
        .update(provisioningJobs)
        .set({
          state: 'running',
          lockedBy: workerId,
          lockedUntil: sql`now() + ${leaseMs} * interval '1 millisecond'`,
          attempts: sql`${provisioningJobs.attempts} + 1`,
          updatedAt: sql`now()`,
        })
        .where(sql`${provisioningJobs.id} in (
          select j.id from ${provisioningJobs} j
          where ((j.state = 'queued' and j.run_at <= now()) or (j.state = 'running' and (j.locked_until < now() or j.locked_by = ${workerId} or ${holderIsDead(sql`j.locked_by`)})))
            and not exists (
              select 1 from ${provisioningJobs} older
              where older.sip_account_id = j.sip_account_id and older.created_at < j.created_at
                and older.state in ('queued', 'running'))
          order by j.run_at limit ${limit}
          for update skip locked)`)
        .returning();
    },

    /** Every transition below is fenced on the worker's lease: a worker whose lease was taken over changes nothing. */
    async finish(id: string, workerId: string): Promise<boolean> {
      return updateOwned(db, id, workerId, { state: 'done', lastError: null, lockedUntil: null });
    },

    async awaitApply(id: string, workerId: string): Promise<boolean> {
      return updateOwned(db, id, workerId, { state: 'awaiting_apply', pbxChangedAt: sql`now()`, lockedUntil: null });
    },

    async retryLater(id: string, workerId: string, { delayMs, error }: { delayMs: number; error: string }): Promise<boolean> {
      return updateOwned(db, id, workerId, {
        state: 'queued',
        lastError: error,
        lockedUntil: null,
        runAt: sql`now() + ${delayMs} * interval '1 millisecond'`,
      });
    },

    async fail(id: string, workerId: string, error: string): Promise<boolean> {
      return updateOwned(db, id, workerId, { state: 'failed', lastError: error, lockedUntil: null });
    },

    /** Keeps this worker's claim on jobs it is still working on, so a short lease only ever expires for a dead worker. */
    async renewLeases({ ids, workerId, leaseMs }: { ids: string[]; workerId: string; leaseMs: number }): Promise<void> {
      if (ids.length === 0) return;
      await db
        .update(provisioningJobs)
        .set({ lockedUntil: sql`now() + ${leaseMs} * interval '1 millisecond'` })
        .where(and(sql`${provisioningJobs.id} in ${ids}`, eq(provisioningJobs.lockedBy, workerId), eq(provisioningJobs.state, 'running')));
    },

    async setExtension(id: string, extension: string): Promise<void> {
      await db.update(provisioningJobs).set({ extension, updatedAt: sql`now()` }).where(eq(provisioningJobs.id, id));
    },

    async countAwaitingApply(): Promise<number> {
      const [row] = await db
        .select({ count: sql<number>`count(*)::int` })
        .from(provisioningJobs)
        .where(eq(provisioningJobs.state, 'awaiting_apply'));
      return row?.count ?? 0;
    },

    /** After an apply that started at `startedAt` finished: every change made before it is live. */
    async completeApplied(startedAt: Date): Promise<JobRow[]> {
      return db
        .update(provisioningJobs)
        .set({ state: 'done', lastError: null, updatedAt: sql`now()` })
        .where(and(eq(provisioningJobs.state, 'awaiting_apply'), sql`${provisioningJobs.pbxChangedAt} < ${startedAt.toISOString()}`))
        .returning();
    },

    /** An Apply Config failed: the jobs waiting for it say why. Returns their accounts. */
    async noteApplyError(error: string): Promise<string[]> {
      const rows = await db
        .update(provisioningJobs)
        .set({ lastError: error, updatedAt: sql`now()` })
        .where(eq(provisioningJobs.state, 'awaiting_apply'))
        .returning({ sipAccountId: provisioningJobs.sipAccountId });
      return rows.flatMap((row) => (row.sipAccountId ? [row.sipAccountId] : []));
    },
  };
}

async function updateOwned(db: Queryable, id: string, workerId: string, values: Partial<Record<keyof JobRow, unknown>>): Promise<boolean> {
  const rows = await db
    .update(provisioningJobs)
    .set({ ...values, updatedAt: sql`now()` } as never)
    .where(and(eq(provisioningJobs.id, id), eq(provisioningJobs.lockedBy, workerId), eq(provisioningJobs.state, 'running')))
    .returning({ id: provisioningJobs.id });
  return rows.length > 0;
}

export type JobsRepository = ReturnType<typeof createJobsRepository>;
