import type { Transaction } from '../../db/database.ts';

/** What sip-accounts needs of the provisioning job queue; implemented in provisioning-jobs, wired in dependencies.ts. */
export interface ProvisioningQueue {
  /** Queues a PBX change inside the caller's transaction, so the change and its job commit together. */
  enqueue(tx: Transaction, job: { sipAccountId: string; extension: string; kind: 'create' | 'update' | 'delete'; secretVersion?: number }): Promise<void>;
  /** The account's most recent job, for its state and attempts; read inside `tx` when given. */
  latestJobFor(sipAccountId: string, tx?: Transaction): Promise<{ kind: string; state: string; attempts: number } | undefined>;
  /** Work was committed: let the worker look now rather than at its next poll. */
  kick(): void;
}
