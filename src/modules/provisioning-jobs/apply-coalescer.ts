import type { SQL } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Database } from '../../db/database.ts';
import type { PbxDriver } from '../pbx/pbx-driver.ts';
import type { AccountProvisioning } from './account-provisioning.port.ts';
import { createApplyLeaseRepository } from './apply-lease.repository.ts';
import { createApplySchedule } from './apply-schedule.ts';
import { describeJobError } from './job-outcome.ts';
import { createJobsRepository } from './jobs.repository.ts';
import { withLeaseRenewal } from './lease-renewal.ts';

/**
 * One coalesced Apply Config (FreePBX's reload) at a time across every instance: every change pushed before
 * it started becomes live when it finishes, so a burst of sign-ups goes live in one reload.
 */
export function createApplyCoalescer({ db, driver, accounts, workerId, leaseMs, backoff, holderIsDead, logger }: {
  db: Database;
  driver: Pick<PbxDriver, 'needsApply' | 'applyChanges' | 'waitForApply'>;
  accounts: AccountProvisioning;
  workerId: string;
  leaseMs: number;
  backoff: { baseMs: number; maxMs: number };
  /** A holder known dead (worker-liveness.ts) gives up the lease at once, not when it runs out. */
  holderIsDead?: (holder: SQL) => SQL;
  logger: Logger;
}) {
  const jobs = createJobsRepository({ db });
  const lease = createApplyLeaseRepository({ db });
  const schedule = createApplySchedule({ backoff });

  async function completeApplied(startedAt: Date): Promise<string[]> {
    const applied = await db.transaction(async (tx) => {
      const done = await createJobsRepository({ db: tx }).completeApplied(startedAt);
      for (const job of done) {
        if (!job.sipAccountId) continue;
        const subject = { sipAccountId: job.sipAccountId, kind: job.kind, secretVersion: job.secretVersion };
        await (job.kind === 'delete' ? accounts.markRemoved(tx, subject) : accounts.markLive(tx, subject));
      }
      return done;
    });
    return applied.flatMap((job) => (job.sipAccountId ? [job.sipAccountId] : []));
  }

  async function noteFailure(error: string): Promise<string[]> {
    return db.transaction(async (tx) => {
      const accountIds = await createJobsRepository({ db: tx }).noteApplyError(error);
      await accounts.noteApplyError(tx, accountIds, error);
      return accountIds;
    });
  }

  return {
    async applyIfNeeded(): Promise<void> {
      if (!driver.needsApply || !schedule.isDue()) return;
      if ((await jobs.countAwaitingApply()) === 0) return;
      const acquired = await lease.acquire({ holder: workerId, leaseMs, holderIsDead });
      if (!acquired) return; // Another instance is applying; its run or the next covers our changes.
      let failure: string | null = null;
      try {
        await withLeaseRenewal(leaseMs, () => lease.renew({ holder: workerId, leaseMs }), async () => {
          // A holder that died (or stopped) mid-reload left it running on the PBX: never two reloads at once.
          if (acquired.earlierApplyRef && driver.waitForApply) {
            logger.info('Waiting for the Apply Config an earlier holder left running');
            await driver.waitForApply(acquired.earlierApplyRef);
          }
          // Not noting the reference only weakens that guard: it never fails the reload.
          await driver.applyChanges({ started: (ref) => lease.noteApplyRef({ holder: workerId, ref }).catch(() => {}) });
        });
        const live = await completeApplied(acquired.startedAt);
        accounts.announceChanged(live);
        schedule.succeeded();
        logger.info({ accounts: live.length }, 'Apply Config finished: accounts are live');
      } catch (error) {
        failure = describeJobError(error);
        const failures = schedule.failed();
        logger.warn({ error: failure, failures }, 'Apply Config failed; will retry');
        await noteFailure(failure);
      } finally {
        await lease.release({ holder: workerId, error: failure });
      }
    },
  };
}
