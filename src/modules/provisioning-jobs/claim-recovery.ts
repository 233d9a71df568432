import { sql, type SQL } from 'drizzle-orm';
import type { Logger } from 'pino';
import { queryRows, type Queryable } from '../../db/database.ts';
import type { AccountProvisioning } from './account-provisioning.port.ts';
import { pbxApplyLease } from './apply-lease.table.ts';
import { provisioningJobs } from './jobs.table.ts';
import type { WorkerLiveness } from '../../db/worker-liveness.ts';

/**
 * Gives back claims: jobs `running` for a worker go back to `queued` (due at once, attempt kept), and the
 * Apply Config lease is freed. Its `apply_ref` is kept: a reload that may still run on the PBX is waited for
 * by the next holder (see apply-coalescer.ts). Returns how many jobs and leases were freed.
 */
async function release(db: Queryable, holderMatches: (holder: SQL) => SQL): Promise<{ jobs: number; applyLease: number }> {
  const jobs = await queryRows<{ id: string }>(db, sql`
    update ${provisioningJobs} set state = 'queued', locked_by = null, locked_until = null, updated_at = now()
    where state = 'running' and ${holderMatches(sql`locked_by`)}
    returning id`);
  const leases = await queryRows<{ id: number }>(db, sql`
    update ${pbxApplyLease} set holder = null, expires_at = null
    where holder is not null and ${holderMatches(sql`holder`)}
    returning id`);
  return { jobs: jobs.length, applyLease: leases.length };
}

/** Graceful stop: what this worker still holds, so nothing is left for a lease to expire. */
export const releaseClaimsOf = (db: Queryable, workerId: string) => release(db, (holder) => sql`${holder} = ${workerId}`);

/** At start: whatever dead workers held (on PGlite, everything a previous process held). */
export const releaseDeadClaims = (db: Queryable, isDead: (holder: SQL) => SQL) => release(db, isDead);

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/**
 * A worker's first steps, before its first claim: become visibly alive, free what dead workers held, and
 * set right every account whose state disagrees with its jobs (an idempotent pass, safe when several
 * instances start at once; see AccountProvisioning.repairStates). Retried until it succeeds or the worker stops.
 */
export async function recoverAtStart({ db, accounts, liveness, workerId, logger, retryMs, isRunning }: {
  db: Queryable;
  accounts: Pick<AccountProvisioning, 'repairStates'>;
  liveness: WorkerLiveness;
  workerId: string;
  logger: Logger;
  retryMs: number;
  isRunning: () => boolean;
}): Promise<void> {
  while (isRunning()) {
    try {
      await liveness.start(workerId);
      const freed = await releaseDeadClaims(db, liveness.isDead);
      if (freed.jobs > 0 || freed.applyLease > 0) logger.warn(freed, 'Took back the jobs and Apply Config lease of workers that are gone');
      const repaired = await accounts.repairStates();
      if (repaired > 0) logger.warn({ accounts: repaired }, 'Set right accounts whose state disagreed with their finished jobs');
      logger.info({ workerId }, 'Provisioning worker started');
      return;
    } catch (error) {
      logger.error({ err: error }, 'Provisioning worker could not start; trying again');
      await sleep(retryMs);
    }
  }
}

/**
 * A stopping worker (it claims nothing more) gets `deadlineMs` to finish its jobs in hand and a reload under
 * way; whatever it still holds then goes back to the queue and the apply lease is freed, so nothing is left
 * for a lease to expire. Late outcomes of handed-back jobs are fenced out (job-outcome.ts).
 */
export async function stopWithin({ loop, deadlineMs, db, liveness, workerId, logger }: {
  loop: Promise<void> | undefined;
  deadlineMs: number;
  db: Queryable;
  liveness: WorkerLiveness;
  workerId: string;
  logger: Logger;
}): Promise<void> {
  const finished = await Promise.race([(loop ?? Promise.resolve()).then(() => true), sleep(deadlineMs).then(() => false)]);
  try {
    const freed = await releaseClaimsOf(db, workerId);
    if (freed.jobs > 0 || freed.applyLease > 0) logger.warn({ ...freed, finished }, 'Stopping: handed back the work still in hand');
  } catch (error) {
    logger.error({ err: error }, 'Stopping: could not hand back the work in hand; its lease will free it');
  }
  await liveness.stop(workerId).catch(() => {});
}
