import type { Logger } from 'pino';
import type { Database } from '../../db/database.ts';
import { decryptSecret } from '../../shared/crypto.ts';
import { PbxError, type PbxDriver } from '../pbx/pbx-driver.ts';
import { createSipAccountsRepository } from '../sip-accounts/sip-accounts.repository.ts';
import { createUsersRepository } from '../users/users.repository.ts';
import { defaultDisplayName } from '../sip-accounts/sip-account.usecases.ts';
import { createJobsRepository } from './jobs.repository.ts';
import type { JobRow } from './jobs.table.ts';

export type JobOutcome = 'live' | 'awaiting_apply' | 'moved_extension';

/**
 * Carries out one job against the PBX. Throws PbxError on failure; the worker decides retry or failure.
 * Account status changes that follow success are the worker's, so this stays about talking to the PBX.
 */
export async function runJob({ job, db, driver, encryptionKey, extensionRange, logger }: {
  job: JobRow;
  db: Database;
  driver: PbxDriver;
  encryptionKey: Buffer;
  extensionRange: { first: number; last: number };
  logger: Logger;
}): Promise<JobOutcome> {
  if (job.kind === 'delete') {
    await driver.deleteAccount(job.extension);
    return 'live';
  }
  const account = job.sipAccountId ? await createSipAccountsRepository({ db }).findById(job.sipAccountId) : undefined;
  if (!account) return 'live'; // The user was deleted meanwhile; a delete job cleans the PBX.
  const user = await createUsersRepository({ db }).findById(account.userId);
  const pbxAccount = {
    extension: account.extension,
    // A rotation pushes the next secret; the live one stays live here until this job's change is live.
    secret: decryptSecret(encryptionKey, job.kind === 'update' && account.nextSecretCiphertext ? account.nextSecretCiphertext : account.secretCiphertext),
    displayName: user ? defaultDisplayName(user) : account.extension,
    email: user?.email ?? '',
  };
  try {
    if (job.kind === 'create') await driver.createAccount(pbxAccount);
    else await driver.updateAccount(pbxAccount);
  } catch (error) {
    if (error instanceof PbxError && error.kind === 'extension_taken' && job.kind === 'create') {
      await moveToNextFreeExtension({ db, job, accountId: account.id, extensionRange, logger });
      return 'moved_extension';
    }
    throw error;
  }
  return driver.needsApply ? 'awaiting_apply' : 'live';
}

/** The number belongs to someone else on the PBX: never take it over; reserve it and use the next free one. */
async function moveToNextFreeExtension({ db, job, accountId, extensionRange, logger }: {
  db: Database;
  job: JobRow;
  accountId: string;
  extensionRange: { first: number; last: number };
  logger: Logger;
}): Promise<void> {
  await db.transaction(async (tx) => {
    const accounts = createSipAccountsRepository({ db: tx });
    await accounts.reserveExtension(job.extension, 'in use on the PBX by an account this service did not create');
    const next = await accounts.allocateExtension(extensionRange);
    if (!next) throw new PbxError({ kind: 'rejected', retryable: false, message: 'No free extension left in EXTENSION_RANGE' });
    await accounts.changeExtension(accountId, next);
    await createJobsRepository({ db: tx }).setExtension(job.id, next);
    logger.warn({ jobId: job.id, taken: job.extension, next }, 'Extension already in use on the PBX: reserved it, moving to the next free number');
  });
}
