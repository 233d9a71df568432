import { PbxError, type PbxDriver } from '../pbx/pbx-driver.ts';
import type { AccountProvisioning } from './account-provisioning.port.ts';
import type { JobRow } from './jobs.table.ts';

/**
 * live: the change is live on the PBX; awaiting_apply: live after the next Apply Config;
 * extension_taken: the number belongs to someone else on the PBX (see job-outcome.ts).
 */
export type JobResult = 'live' | 'awaiting_apply' | 'extension_taken';

/**
 * Carries out one job against the PBX and says how it went. Throws PbxError on failure; what follows from the
 * result or the error (account state, retry, failure) is job-outcome.ts's, so this stays about the PBX.
 */
export async function runJob({ job, driver, accounts }: {
  job: JobRow;
  driver: PbxDriver;
  accounts: Pick<AccountProvisioning, 'accountForJob'>;
}): Promise<JobResult> {
  if (job.kind === 'delete') {
    await driver.deleteAccount(job.extension);
    // On FreePBX the extension still rings until the next Apply Config: the removal is done only then.
    return driver.needsApply ? 'awaiting_apply' : 'live';
  }
  const account = job.sipAccountId ? await accounts.accountForJob({ sipAccountId: job.sipAccountId, kind: job.kind, secretVersion: job.secretVersion }) : undefined;
  if (!account) return 'live'; // The user was deleted meanwhile; a delete job cleans the PBX.
  try {
    if (job.kind === 'create') await driver.createAccount(account);
    else await driver.updateAccount(account);
  } catch (error) {
    if (error instanceof PbxError && error.kind === 'extension_taken' && job.kind === 'create') return 'extension_taken';
    throw error;
  }
  return driver.needsApply ? 'awaiting_apply' : 'live';
}
