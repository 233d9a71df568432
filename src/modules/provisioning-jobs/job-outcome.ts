import { isDatabaseUnavailable } from '../../db/connection-errors.ts';
import type { Database } from '../../db/database.ts';
import { PbxError } from '../pbx/pbx-driver.ts';
import type { AccountProvisioning, JobSubject } from './account-provisioning.port.ts';
import { backoffDelayMs } from './backoff.ts';
import { createJobsRepository } from './jobs.repository.ts';
import type { JobRow } from './jobs.table.ts';
import type { JobResult } from './run-job.ts';

export type JobDecision =
  | { action: 'finish' }
  | { action: 'await_apply' }
  | { action: 'move_extension' }
  | { action: 'retry'; delayMs: number; error: string }
  | { action: 'fail'; error: string };

/** The stored form of a failure (`<kind>: <detail>`); see sip-accounts/provisioning-error-text.ts for what users see. */
export const describeJobError = (error: unknown): string => (error instanceof PbxError ? `${error.kind}: ${error.message}` : 'internal error');

/** What follows from one run of a job: pure, so each rule is tested without a database or a PBX. */
export function decideOutcome({ job, result, error, maxAttempts, backoff, random = Math.random }: {
  job: Pick<JobRow, 'attempts'> & Partial<Pick<JobRow, 'kind'>>;
  result?: JobResult;
  error?: unknown;
  maxAttempts: number;
  backoff: { baseMs: number; maxMs: number };
  random?: () => number;
}): JobDecision {
  if (error === undefined) {
    if (result === 'extension_taken') return { action: 'move_extension' };
    return result === 'awaiting_apply' ? { action: 'await_apply' } : { action: 'finish' };
  }
  // Our own database went away mid-run (reading the account): no fault of the PBX nor the job, so it is
  // tried again once the base delay is out, however many attempts it has had, with no growing backoff.
  // A PbxError is the PBX's, even when it wraps a connection error (Kamailio is reached through its database).
  if (!(error instanceof PbxError) && isDatabaseUnavailable(error)) return { action: 'retry', delayMs: backoff.baseMs, error: describeJobError(error) };
  // A removal is never given up for a PBX that is down: the user asked to leave, and the number must come off.
  const retryable = (error instanceof PbxError ? error.retryable : true) && (job.kind === 'delete' || job.attempts < maxAttempts);
  const message = describeJobError(error);
  return retryable ? { action: 'retry', delayMs: backoffDelayMs(job.attempts, backoff, random), error: message } : { action: 'fail', error: message };
}

/** Thrown inside a transaction to roll it back: another worker took the job over (our lease ran out). */
class LeaseLost extends Error {}

const NO_FREE_EXTENSION = 'rejected: No free extension left in EXTENSION_RANGE';

/**
 * Records a decision: the job's transition and its account's state in one transaction, so a crash can never
 * leave them disagreeing. Every job transition is fenced on the worker's lease; when the lease was lost,
 * nothing changes. Returns the decision carried out (a move with no free number left fails the job), or
 * undefined when the lease was lost.
 */
export async function recordOutcome({ db, accounts, workerId, job, decision }: {
  db: Database;
  accounts: AccountProvisioning;
  workerId: string;
  job: JobRow;
  decision: JobDecision;
}): Promise<JobDecision | undefined> {
  const subject: JobSubject | undefined = job.sipAccountId ? { sipAccountId: job.sipAccountId, kind: job.kind, secretVersion: job.secretVersion } : undefined;
  const fenced = (changed: boolean) => {
    if (!changed) throw new LeaseLost();
  };
  try {
    const done = await db.transaction(async (tx): Promise<JobDecision> => {
      const jobs = createJobsRepository({ db: tx });
      switch (decision.action) {
        case 'finish':
          fenced(await jobs.finish(job.id, workerId));
          if (subject) await (job.kind === 'delete' ? accounts.markRemoved(tx, subject) : accounts.markLive(tx, subject));
          return decision;
        case 'await_apply':
          fenced(await jobs.awaitApply(job.id, workerId));
          return decision;
        case 'retry':
          fenced(await jobs.retryLater(job.id, workerId, { delayMs: decision.delayMs, error: decision.error }));
          if (subject) await accounts.noteRetry(tx, subject, decision.error);
          return decision;
        case 'move_extension': {
          const next = subject ? await accounts.moveToNextFreeExtension(tx, subject.sipAccountId, job.extension) : undefined;
          if (!next) {
            fenced(await jobs.fail(job.id, workerId, NO_FREE_EXTENSION));
            if (subject) await accounts.markFailed(tx, subject, NO_FREE_EXTENSION);
            return { action: 'fail', error: NO_FREE_EXTENSION };
          }
          fenced(await jobs.retryLater(job.id, workerId, { delayMs: 0, error: `extension ${job.extension} was taken on the PBX` }));
          await jobs.setExtension(job.id, next);
          return decision;
        }
        case 'fail':
          fenced(await jobs.fail(job.id, workerId, decision.error));
          if (subject) await accounts.markFailed(tx, subject, decision.error);
          return decision;
      }
    });
    if (subject) accounts.announceChanged([subject.sipAccountId]);
    return done;
  } catch (error) {
    if (error instanceof LeaseLost) return undefined;
    throw error;
  }
}
