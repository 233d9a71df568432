import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Database, Transaction } from '../../db/database.ts';
import { PbxError, type PbxDriver } from '../pbx/pbx-driver.ts';
import { createSecretRotationRepository } from '../sip-accounts/secret-rotation.repository.ts';
import { createSipAccountsRepository } from '../sip-accounts/sip-accounts.repository.ts';
import type { SipAccountStatus } from '../sip-accounts/sip-accounts.table.ts';
import { backoffDelayMs } from './backoff.ts';
import { runJob } from './job-handlers.ts';
import { waitForAccountStatus } from './wait-for-account.ts';
import { createJobsRepository } from './jobs.repository.ts';
import type { JobRow } from './jobs.table.ts';

export interface WorkerOptions {
  pollIntervalMs: number;
  /**
   * A job (or the apply lease) whose worker stopped renewing it for this long is taken over by another worker
   * (the first one crashed). A live worker renews its leases every third of it, however long the PBX takes.
   */
  leaseMs: number;
  batchSize: number;
  /** Full batches pushed before an Apply Config runs (bounds how long a steady stream can delay it). */
  maxBatchesPerApply: number;
  maxAttempts: number;
  backoff: { baseMs: number; maxMs: number };
  applyLeaseMs: number;
}

export const defaultWorkerOptions: WorkerOptions = {
  pollIntervalMs: 1000,
  leaseMs: 120_000,
  batchSize: 16,
  maxBatchesPerApply: 16,
  maxAttempts: 25,
  backoff: { baseMs: 1000, maxMs: 5 * 60_000 },
  applyLeaseMs: 120_000,
};

/** Runs `work` while renewing a lease every third of `leaseMs`; a failed renewal is retried at the next beat. */
async function withLeaseRenewal<T>(leaseMs: number, renew: () => Promise<void>, work: () => Promise<T>): Promise<T> {
  const timer = setInterval(() => void renew().catch(() => {}), Math.max(100, Math.floor(leaseMs / 3)));
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}

/**
 * Runs provisioning jobs from the database: claims due jobs, pushes them to the PBX, retries with backoff,
 * and (for PBXs that need it) runs one coalesced Apply Config at a time across every instance.
 * Several instances may run workers on one PostgreSQL; everything they share lives in the database.
 */
export function createProvisioningWorker({ db, driver, encryptionKey, extensionRange, logger, options = {} }: {
  db: Database;
  driver: PbxDriver;
  encryptionKey: Buffer;
  extensionRange: { first: number; last: number };
  logger: Logger;
  options?: Partial<WorkerOptions>;
}) {
  const settings = { ...defaultWorkerOptions, ...options };
  const workerId = `worker-${randomUUID()}`;
  const jobs = createJobsRepository({ db });
  const accounts = createSipAccountsRepository({ db });
  const accountEvents = new EventEmitter().setMaxListeners(0);
  let running = false;
  let wake: (() => void) | undefined;
  let loop: Promise<void> | undefined;
  let applyBackoffUntil = 0;
  let applyFailures = 0;

  async function setAccountStatus(accountId: string | null, status: SipAccountStatus, error: string | null = null) {
    if (!accountId) return;
    await accounts.setStatus(accountId, status, error);
    accountEvents.emit(accountId, status);
  }

  /** Marks the job done and, for a rotation, promotes its secret in the same transaction: never one without the other. */
  async function finishLive(job: JobRow): Promise<boolean> {
    return db.transaction(async (tx) => {
      if (!(await createJobsRepository({ db: tx }).finish(job.id, workerId))) return false;
      await promoteRotatedSecrets(tx, [job]);
      return true;
    });
  }

  async function processJob(job: JobRow): Promise<void> {
    try {
      const outcome = await runJob({ job, db, driver, encryptionKey, extensionRange, logger });
      if (outcome === 'moved_extension') {
        await jobs.retryLater(job.id, workerId, { delayMs: 0, error: `extension ${job.extension} was taken on the PBX` });
      } else if (outcome === 'awaiting_apply') {
        await jobs.awaitApply(job.id, workerId);
      } else if (await finishLive(job)) {
        if (job.kind !== 'delete') await setAccountStatus(job.sipAccountId, 'active');
      }
    } catch (error) {
      const pbxError = error instanceof PbxError ? error : undefined;
      const message = pbxError ? `${pbxError.kind}: ${pbxError.message}` : 'internal error';
      if (!pbxError) logger.error({ err: error, jobId: job.id }, 'Provisioning job crashed');
      const retryable = (pbxError?.retryable ?? true) && job.attempts < settings.maxAttempts;
      if (retryable) {
        const delayMs = backoffDelayMs(job.attempts, settings.backoff);
        logger.warn({ jobId: job.id, extension: job.extension, attempt: job.attempts, delayMs, error: message }, 'PBX call failed; will retry');
        await jobs.retryLater(job.id, workerId, { delayMs, error: message });
        if (job.sipAccountId) await accounts.setStatus(job.sipAccountId, job.kind === 'create' ? 'pending' : 'active', message);
      } else {
        logger.error({ jobId: job.id, extension: job.extension, error: message }, 'Provisioning job failed for good');
        // A refused update (a rotation) leaves the account as it was on the PBX: still live with its old secret.
        if (await jobs.fail(job.id, workerId, message)) await setAccountStatus(job.sipAccountId, job.kind === 'update' ? 'active' : 'failed', message);
      }
    }
  }

  /** One coalesced apply: every change pushed before it started becomes live when it finishes. */
  async function applyIfNeeded(): Promise<void> {
    if (!driver.needsApply || Date.now() < applyBackoffUntil) return;
    if ((await jobs.countAwaitingApply()) === 0) return;
    const startedAt = await jobs.acquireApplyLease({ holder: workerId, leaseMs: settings.applyLeaseMs });
    if (!startedAt) return; // Another instance is applying; its run or the next covers our changes.
    let failure: string | null = null;
    try {
      await withLeaseRenewal(
        settings.applyLeaseMs,
        () => jobs.renewApplyLease({ holder: workerId, leaseMs: settings.applyLeaseMs }),
        () => driver.applyChanges(),
      );
      const applied = await db.transaction(async (tx) => {
        const done = await createJobsRepository({ db: tx }).completeApplied(startedAt);
        await promoteRotatedSecrets(tx, done);
        return done;
      });
      for (const job of applied) if (job.kind !== 'delete') await setAccountStatus(job.sipAccountId, 'active');
      applyFailures = 0;
      logger.info({ accounts: applied.length }, 'Apply Config finished: accounts are live');
    } catch (error) {
      failure = error instanceof PbxError ? `${error.kind}: ${error.message}` : 'internal error';
      applyFailures += 1;
      applyBackoffUntil = Date.now() + backoffDelayMs(applyFailures, settings.backoff);
      logger.warn({ error: failure, failures: applyFailures }, 'Apply Config failed; will retry');
      await jobs.noteApplyError(failure);
    } finally {
      await jobs.releaseApplyLease({ holder: workerId, error: failure });
    }
  }

  /**
   * Pushes every due job (batch after batch while batches come back full, up to `maxBatchesPerApply`), then
   * runs one Apply Config for all of them: a backlog that built up during a reload goes live in one reload.
   */
  async function tick(): Promise<boolean> {
    let claimedAny = false;
    for (let batch = 0; batch < settings.maxBatchesPerApply && running; batch++) {
      const claimed = await jobs.claimDue({ workerId, limit: settings.batchSize, leaseMs: settings.leaseMs });
      claimedAny ||= claimed.length > 0;
      const ids = claimed.map((job) => job.id);
      await withLeaseRenewal(
        settings.leaseMs,
        () => jobs.renewLeases({ ids, workerId, leaseMs: settings.leaseMs }),
        () => Promise.all(claimed.map(processJob)),
      );
      if (claimed.length < settings.batchSize) break;
    }
    await applyIfNeeded();
    return claimedAny;
  }

  async function runLoop(): Promise<void> {
    while (running) {
      let busy = false;
      try {
        busy = await tick();
      } catch (error) {
        logger.error({ err: error }, 'Provisioning worker loop error');
      }
      if (!running) break;
      if (busy) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, settings.pollIntervalMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = undefined;
    }
  }

  return {
    workerId,
    start(): void {
      if (running) return;
      running = true;
      loop = runLoop();
    },
    /** Finishes the jobs in hand, then stops. Unfinished jobs stay in the database for the next start. */
    async stop(): Promise<void> {
      running = false;
      wake?.();
      await loop;
    },
    /** New work was queued: look now rather than at the next poll. */
    kick(): void {
      wake?.();
    },
    /** Resolves with the account's status once it leaves 'pending', or 'pending' after `timeoutMs`. */
    waitForAccount: (accountId: string, timeoutMs: number) => waitForAccountStatus({ accounts, accountEvents, accountId, timeoutMs }),
  };
}

/** An update job that is live makes the secret it pushed the live one (see secret-rotation.repository.ts). */
async function promoteRotatedSecrets(tx: Transaction, liveJobs: JobRow[]): Promise<void> {
  const rotation = createSecretRotationRepository({ db: tx });
  for (const job of liveJobs) {
    if (job.kind === 'update' && job.sipAccountId) await rotation.promoteNextSecret(job.sipAccountId, job.secretVersion);
  }
}

export type ProvisioningWorker = ReturnType<typeof createProvisioningWorker>;
