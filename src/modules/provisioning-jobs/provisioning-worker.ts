import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Database } from '../../db/database.ts';
import { retryWhileDatabaseUnavailable } from '../../db/retry-while-unavailable.ts';
import type { PbxDriver } from '../pbx/pbx-driver.ts';
import type { AccountProvisioning } from './account-provisioning.port.ts';
import type { ProvisioningMetrics } from './provisioning-metrics.port.ts';
import { createApplyCoalescer } from './apply-coalescer.ts';
import { recoverAtStart, stopWithin } from './claim-recovery.ts';
import { decideOutcome, recordOutcome } from './job-outcome.ts';
import { createJobsRepository } from './jobs.repository.ts';
import type { JobRow } from './jobs.table.ts';
import { withLeaseRenewal } from './lease-renewal.ts';
import { runJob } from './run-job.ts';
import { defaultWorkerOptions, type WorkerOptions } from './worker-options.ts';
import { createWorkerLiveness, type WorkerLiveness } from '../../db/worker-liveness.ts';
import { createWakeableSleep } from '../../shared/wakeable-sleep.ts';

/**
 * Runs provisioning jobs from the database: claims due jobs, pushes them to the PBX (run-job.ts), records
 * what follows (job-outcome.ts) and, for PBXs that need it, runs one coalesced Apply Config at a time across
 * every instance (apply-coalescer.ts). Several instances may run workers on one PostgreSQL; everything they
 * share lives in the database.
 */
export function createProvisioningWorker({ db, driver, accounts, logger, options = {}, metrics, liveness = createWorkerLiveness() }: {
  db: Database;
  driver: PbxDriver;
  accounts: AccountProvisioning;
  logger: Logger;
  metrics?: ProvisioningMetrics;
  options?: Partial<WorkerOptions>;
  /** How a dead worker is known at once (worker-liveness.ts); without it, only by its lease running out. */
  liveness?: WorkerLiveness;
}) {
  const settings = { ...defaultWorkerOptions, ...options };
  const workerId = `worker-${randomUUID()}`;
  const jobs = createJobsRepository({ db });
  const coalescer = createApplyCoalescer({
    db, driver, accounts, workerId, leaseMs: settings.applyLeaseMs, backoff: settings.backoff, holderIsDead: liveness.isDead, logger,
  });
  let running = false;
  // A kick ends a pause; one during a round is not kept, so jobs queued meanwhile gather for the next poll's one Apply Config.
  const pause = createWakeableSleep({ rememberWake: false });
  let loop: Promise<void> | undefined;
  /** When the loop last came round (ms since the epoch), for /readyz; undefined until started. */
  let lastBeatAt: number | undefined;
  let stopping: Promise<void> | undefined;

  async function processJob(job: JobRow): Promise<void> {
    let result;
    let error: unknown;
    try {
      result = await runJob({ job, driver, accounts });
    } catch (caught) {
      error = caught ?? new Error('unknown failure');
    }
    const decision = decideOutcome({ job, result, error, maxAttempts: settings.maxAttempts, backoff: settings.backoff });
    // The PBX part is done: a lost connection must not leave the job claimed until its lease runs out (fenced, so safe to repeat).
    const recorded = await retryWhileDatabaseUnavailable(() => recordOutcome({ db, accounts, workerId, job, decision }), { keepTrying: () => running });
    metrics?.jobRecorded(recorded?.action ?? 'lease_lost');
    if (recorded?.action === 'retry') {
      if (!(error instanceof Error && error.name === 'PbxError')) logger.error({ err: error, jobId: job.id }, 'Provisioning job crashed');
      logger.warn({ jobId: job.id, extension: job.extension, attempt: job.attempts, delayMs: recorded.delayMs, error: recorded.error }, 'PBX call failed; will retry');
    } else if (recorded?.action === 'fail') {
      logger.error({ jobId: job.id, extension: job.extension, error: recorded.error }, 'Provisioning job failed for good');
    } else if (recorded?.action === 'move_extension') {
      logger.warn({ jobId: job.id, taken: job.extension }, 'Extension already in use on the PBX: reserved it, moving to the next free number');
    }
  }

  /**
   * Pushes every due job (batch after batch while batches come back full, up to `maxBatchesPerApply`), then
   * runs one Apply Config for all of them: a backlog that built up during a reload goes live in one reload.
   */
  async function tick(): Promise<boolean> {
    let claimedAny = false;
    for (let batch = 0; batch < settings.maxBatchesPerApply && running; batch++) {
      const claimed = await jobs.claimDue({ workerId, limit: settings.batchSize, leaseMs: settings.leaseMs, holderIsDead: liveness.isDead });
      claimedAny ||= claimed.length > 0;
      const ids = claimed.map((job) => job.id);
      await withLeaseRenewal(
        settings.leaseMs,
        () => jobs.renewLeases({ ids, workerId, leaseMs: settings.leaseMs }),
        // Every job of the batch ends before the next claim, even when one fails: claimDue takes this
        // worker's own `running` jobs for lost claims, so none may still be in hand then.
        async () => {
          const failure = (await Promise.allSettled(claimed.map(processJob))).find((outcome) => outcome.status === 'rejected');
          if (failure) throw failure.reason;
        },
      );
      if (claimed.length < settings.batchSize) break;
    }
    if (running) await coalescer.applyIfNeeded(); // a stopping worker starts no reload
    return claimedAny;
  }

  async function runLoop(): Promise<void> {
    await recoverAtStart({ db, accounts, liveness, workerId, logger, retryMs: settings.pollIntervalMs, isRunning: () => running });
    while (running) {
      lastBeatAt = Date.now();
      let busy = false;
      try {
        busy = await tick();
      } catch (error) {
        logger.error({ err: error }, 'Provisioning worker loop error');
      }
      if (!running) break;
      if (busy) continue;
      await pause.sleep(settings.pollIntervalMs);
    }
  }

  return {
    workerId,
    get lastBeatAt(): number | undefined {
      return lastBeatAt;
    },
    /** Started and not stopped (its first round may still be ahead: start-up recovery comes first). */
    get started(): boolean {
      return running;
    },
    start(): void {
      if (running) return;
      running = true;
      stopping = undefined;
      loop = runLoop();
    },
    /**
     * Claims nothing more; finishes or hands back what it holds within `stopDeadlineMs` (claim-recovery.ts).
     * A second call (main.ts stops the worker, then deps.close does) waits for the same stop, not a new deadline.
     */
    stop(): Promise<void> {
      running = false;
      pause.wake();
      stopping ??= stopWithin({ loop, deadlineMs: settings.stopDeadlineMs, db, liveness, workerId, logger });
      return stopping;
    },
    /** New work was queued: look now rather than at the next poll. */
    kick(): void {
      pause.wake();
    },
  };
}

export type ProvisioningWorker = ReturnType<typeof createProvisioningWorker>;
