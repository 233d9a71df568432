import type { Transaction } from '../../db/database.ts';

/**
 * What happens when an extension first goes live (its create job is live on the PBX): the welcome mail.
 * Declared here, implemented by the welcome module, wired in dependencies.ts, so sip-accounts needs neither
 * mail nor provisioning links.
 */
export interface AccountWentLive {
  /**
   * Inside the transaction that makes the account active. Called for every create job that goes live (a
   * re-provision too): the implementation keeps it to once per account. It must not fail that transaction.
   */
  accountWentLive(tx: Transaction, sipAccountId: string): Promise<void>;
  /** After such a transaction committed: send what it queued now rather than at the next poll. */
  committed(): void;
}
