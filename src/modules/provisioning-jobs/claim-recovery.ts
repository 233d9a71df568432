import { sql, type SQL } from 'drizzle-orm';
import type { Logger } from 'pino';
import { queryRows, type Queryable } from '../../db/database.ts';
import type { AccountProvisioning } from './account-provisioning.port.ts';
import { pbxApplyLease } from './apply-lease.table.ts';
import { provisioningJobs } from './jobs.table.ts';
import type { WorkerLiveness } from './worker-liveness.ts';

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

/**
 * A worker's first steps, before its first claim: become visibly alive, free what dead workers held, and
 * set right every account whose state disagrees with its jobs (an idempotent pass, safe when several
 * instances start at once; see AccountProvisioning.repairStates).
 */
export async function recoverAtStart({ db, accounts, liveness, workerId, logger }: {
  db: Queryable;
  accounts: Pick<AccountProvisioning, 'repairStates'>;
  liveness: WorkerLiveness;
  workerId: string;
  logger: Logger;
}): Promise<void> {
  await liveness.start(workerId);
  const freed = await releaseDeadClaims(db, liveness.isDead);
  if (freed.jobs > 0 || freed.applyLease > 0) logger.warn(freed, 'Took back the jobs and Apply Config lease of workers that are gone');
  const repaired = await accounts.repairStates();
  if (repaired > 0) logger.warn({ accounts: repaired }, 'Set right accounts whose state disagreed with their finished jobs');
  logger.info({ workerId }, 'Provisioning worker started');
}
