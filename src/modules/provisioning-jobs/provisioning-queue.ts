import type { Database, Transaction } from '../../db/database.ts';
import { createJobsRepository } from './jobs.repository.ts';
import type { JobKind } from './jobs.table.ts';

/** The queue as other modules use it: enqueue inside their transaction, read an account's latest job, wake the worker. */
export function createProvisioningQueue({ db, kick }: { db: Database; kick: () => void }) {
  const jobs = createJobsRepository({ db });
  return {
    async enqueue(tx: Transaction, job: { sipAccountId: string; extension: string; kind: JobKind; secretVersion?: number }): Promise<void> {
      await createJobsRepository({ db: tx }).enqueue(job);
    },
    latestJobFor: (sipAccountId: string, tx?: Transaction) => (tx ? createJobsRepository({ db: tx }) : jobs).findLatestForAccount(sipAccountId),
    kick,
  };
}
