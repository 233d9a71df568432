import { sql } from 'drizzle-orm';
import { queryRows, type Database } from '../../db/database.ts';
import { provisioningJobs } from '../provisioning-jobs/jobs.table.ts';
import { sipAccounts } from './sip-accounts.table.ts';

/**
 * Sets right every account whose state disagrees with its finished jobs; returns how many it changed.
 * Today a job's end and its account's state are written in one transaction (job-outcome.ts,
 * apply-coalescer.ts), but a version that ended them apart, killed in between, left accounts stuck: this
 * pass runs at every worker's start. Each statement only touches rows still in the wrong state, so it is
 * idempotent and several instances may run it at once (a second one finds the rows already set right).
 * It lives here, behind the queue's AccountProvisioning port, because account states are this module's.
 */
export async function repairAccountStates(db: Database): Promise<number> {
  const a = sipAccounts;
  const j = provisioningJobs;
  return db.transaction(async (tx) => {
    // Created on the PBX (job done) but still pending: live. Not while a job of the account is unfinished: an
    // enabled (once disabled) or re-provisioned account is pending for its new create job, not an old one.
    const activated = await queryRows<{ id: string }>(tx, sql`
      update ${a} set status = 'active', last_error = null, activated_at = coalesce(${a.activatedAt}, now()), updated_at = now()
      where ${a.status} = 'pending'
        and exists (select 1 from ${j} where ${j.sipAccountId} = ${a.id} and ${j.kind} = 'create' and ${j.state} = 'done')
        and not exists (select 1 from ${j} where ${j.sipAccountId} = ${a.id} and ${j.state} in ('queued', 'running', 'awaiting_apply'))
      returning ${a.id}`);
    // The PBX refused the creation for good (job failed, none other under way) but the account still waits.
    const failed = await queryRows<{ id: string }>(tx, sql`
      update ${a} set status = 'failed', last_error = failed_job.last_error, updated_at = now()
      from ${j} failed_job
      where ${a.status} = 'pending' and failed_job.sip_account_id = ${a.id} and failed_job.kind = 'create' and failed_job.state = 'failed'
        and not exists (select 1 from ${j} other where other.sip_account_id = ${a.id} and other.kind = 'create' and other.state <> 'failed')
      returning ${a.id}`);
    // A rotation whose push is live (update job done for the next version) but whose secret was not promoted.
    const promoted = await queryRows<{ id: string }>(tx, sql`
      update ${a} set secret_ciphertext = ${a.nextSecretCiphertext}, next_secret_ciphertext = null,
        secret_version = ${a.secretVersion} + 1, updated_at = now()
      where ${a.nextSecretCiphertext} is not null
        and exists (select 1 from ${j} where ${j.sipAccountId} = ${a.id} and ${j.kind} = 'update' and ${j.state} = 'done'
          and ${j.secretVersion} = ${a.secretVersion} + 1)
      returning ${a.id}`);
    return new Set([...activated, ...failed, ...promoted].map((row) => row.id)).size;
  });
}
