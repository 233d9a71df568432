import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { queryRows, type Database } from '../../db/database.ts';
import type { WorkerLiveness } from '../../db/worker-liveness.ts';

/**
 * Who runs an import. Each process has one import runner, which others see alive through worker liveness
 * (a session advisory lock on PostgreSQL; on PGlite, being this process) once it has run or claimed an import,
 * until it stops. An unfinished import whose runner is gone (a crash, a deploy, a stop half-way) is
 * abandoned: the next runner that looks claims it and creates its remaining rows. The liveness is held from
 * the first import to the process's end rather than per import: one idle connection on PostgreSQL, and no
 * race between a runner letting go and taking hold again.
 */
export function createImportClaims({ db, liveness }: { db: Database; liveness: WorkerLiveness }) {
  const runnerId = `imports-${randomUUID()}`;
  let alive: Promise<void> | undefined;
  // Unfinished imports whose runner is not this one and is gone (or unknown: an import stored before runners).
  const abandoned = sql`finished_at is null and (runner_id is null or (runner_id <> ${runnerId} and ${liveness.isDead(sql`runner_id`)}))`;

  return {
    runnerId,
    /** Marks this runner alive before it takes an import, so no other runner takes it back as abandoned. */
    hold(): Promise<void> {
      // A start that failed (the lock's connection refused) is tried again by the next caller, not kept.
      alive ??= liveness.start(runnerId).catch((error: unknown) => {
        alive = undefined;
        throw error;
      });
      return alive;
    },
    /** A cheap look first, so an instance that never claims never holds a liveness lock. */
    anyAbandoned: async (): Promise<boolean> => (await queryRows(db, sql`select 1 from user_imports where ${abandoned} limit 1`)).length > 0,
    /** Takes every abandoned import at once (conditional, so of two runners looking together each import goes to one). */
    async claimAbandoned(): Promise<string[]> {
      await this.hold();
      const claimed = await queryRows<{ id: string }>(db, sql`update user_imports set runner_id = ${runnerId} where ${abandoned} returning id`);
      return claimed.map((row) => row.id);
    },
    async close(): Promise<void> {
      if (!alive) return;
      await alive.catch(() => {});
      alive = undefined;
      await liveness.stop(runnerId).catch(() => {});
    },
  };
}

export type ImportClaims = ReturnType<typeof createImportClaims>;
