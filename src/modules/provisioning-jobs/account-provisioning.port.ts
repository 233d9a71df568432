import type { Transaction } from '../../db/database.ts';
import type { PbxAccount } from '../pbx/pbx-driver.ts';
import type { JobKind } from './jobs.table.ts';

/** What a job knows of the account it works for. */
export interface JobSubject {
  sipAccountId: string;
  kind: JobKind;
  /** The secret version an update job pushes. */
  secretVersion: number;
}

/**
 * The one port through which the job queue reads and changes SIP accounts. The worker never touches an
 * account's table: every change below runs inside the transaction that ends the job (`tx`), so a crash can
 * never leave a job done while its account still says pending. Implemented in `sip-accounts`, wired in
 * `dependencies.ts`.
 */
export interface AccountProvisioning {
  /** What to push to the PBX for this job (an update pushes the rotation's next secret), or undefined when the account is gone. */
  accountForJob(job: JobSubject): Promise<PbxAccount | undefined>;
  /** The job's change is live on the PBX: the account is active (and a rotation's secret promoted). */
  markLive(tx: Transaction, job: JobSubject): Promise<void>;
  /** A delete job's removal is live on the PBX: the account (and its user, who asked to leave) is erased. */
  markRemoved(tx: Transaction, job: JobSubject): Promise<void>;
  /** The PBX refused the job for good. */
  markFailed(tx: Transaction, job: JobSubject, error: string): Promise<void>;
  /** A retryable failure: the account shows why while the job waits for its next attempt. */
  noteRetry(tx: Transaction, job: JobSubject, error: string): Promise<void>;
  /** An Apply Config failed: still-pending accounts waiting for it show why. */
  noteApplyError(tx: Transaction, sipAccountIds: string[], error: string): Promise<void>;
  /**
   * The job's number belongs to someone else on the PBX: reserve it and move the account to the next free
   * number. Returns that number, or undefined when the range is exhausted.
   */
  moveToNextFreeExtension(tx: Transaction, sipAccountId: string, takenExtension: string): Promise<string | undefined>;
  /**
   * Sets right, in one idempotent pass, every account whose state disagrees with its finished jobs (left by
   * a crash of a version that ended them apart); returns how many. Run at each worker's start.
   */
  repairStates(): Promise<number>;
  /** Called after the transactions above committed, so waiters in this process look again at once. */
  announceChanged(sipAccountIds: string[]): void;
}
