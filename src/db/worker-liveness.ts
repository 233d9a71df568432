import { sql, type SQL } from 'drizzle-orm';
import type { DatabaseHandle } from './database.ts';

/** Any fixed number, the advisory-lock "class" of worker liveness locks (beside 7_342_001/2 for migrations and extensions). */
const LIVENESS_LOCK_CLASS = 7_342_003;

/**
 * The workers of this process. On PGlite every worker of a database lives in the one process that holds its
 * data directory (data-dir-lock.ts; an in-memory database cannot be shared at all), so a holder not listed
 * here is a previous process's, gone for sure.
 */
const workersHere = new Set<string>();

/**
 * How a worker tells a dead worker from a live one at once, instead of waiting out a lease
 * (`PROVISIONING_JOB_LEASE_MS`, kept as the last resort):
 * - PGlite: a holder that is not a worker of this process is dead (see `workersHere`).
 * - PostgreSQL: each worker holds a session-level advisory lock keyed by its id on a connection of its own
 *   for its whole life; the server drops it with the session, so a holder with no such lock in pg_locks
 *   (in this database) is dead.
 * - Neither (a worker built without a database handle): only the lease tells.
 */
export interface WorkerLiveness {
  /** Before the worker's first claim: from then on others see it alive. */
  start(workerId: string): Promise<void>;
  /** SQL that is true when the worker named by `holder` (an expression) is known to be gone. */
  isDead(holder: SQL): SQL;
  stop(workerId: string): Promise<void>;
}

export function createWorkerLiveness(database?: Pick<DatabaseHandle, 'kind' | 'holdSessionLock'>): WorkerLiveness {
  if (database?.kind === 'pglite') {
    return {
      start: async (workerId) => void workersHere.add(workerId),
      isDead: (holder) => (workersHere.size === 0 ? sql`true` : sql`(${holder} not in ${[...workersHere]})`),
      stop: async (workerId) => void workersHere.delete(workerId),
    };
  }
  const holdLock = database?.holdSessionLock;
  if (!holdLock) return { start: async () => {}, isDead: () => sql`false`, stop: async () => {} };

  let unlock: (() => Promise<void>) | undefined;
  return {
    async start(workerId) {
      unlock = await holdLock({ classId: LIVENESS_LOCK_CLASS, name: workerId });
    },
    // Two-key advisory locks show in pg_locks as classid = key 1, objid = key 2 (as oid), objsubid = 2.
    isDead: (holder) => sql`not exists (
      select 1 from pg_locks l
      where l.locktype = 'advisory' and l.granted and l.objsubid = 2 and l.classid = ${LIVENESS_LOCK_CLASS}
        and l.objid = hashtext(${holder})::oid
        and l.database = (select oid from pg_database where datname = current_database()))`,
    async stop() {
      await unlock?.();
      unlock = undefined;
    },
  };
}
