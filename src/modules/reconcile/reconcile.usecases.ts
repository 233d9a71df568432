import type { Logger } from 'pino';
import type { Database } from '../../db/database.ts';
import { decryptSecret } from '../../shared/crypto.ts';
import { PbxError, type PbxDriver, type PbxListedAccount } from '../pbx/pbx-driver.ts';
import { pbxUnreachableError, reconcileNotSupportedError } from './reconcile.errors.ts';
import { createReconcileRepository } from './reconcile.repository.ts';

export interface ReconcileReport {
  driver: string;
  range: { first: number; last: number };
  /** How many accounts the PBX holds in the range, and how many this database does. */
  pbxAccounts: number;
  accounts: number;
  missingOnPbx: Array<{ extension: string; userId: string }>;
  secretDrift: Array<{ extension: string; userId: string }>;
  orphansOnPbx: Array<{ extension: string }>;
  foreign: Array<{ extension: string }>;
  /** Numbers a job is still working on: left to that job, neither reported nor fixed. */
  inFlight: Array<{ extension: string }>;
  fixed: boolean;
  jobsQueued: number;
}

/** Accounts held to be on the PBX; `awaiting_verification` (nothing pushed yet) and `deleting` (its job's) are not. */
const EXPECTED_ON_PBX = new Set(['active', 'pending', 'failed']);

/**
 * The PBX against this database, for the numbers of EXTENSION_RANGE. Neither FreePBX nor Kamailio keeps an
 * owner per extension, so "made by this service" is what this service can prove: the driver's marker (a
 * half-made FreePBX extension), or this database's own record of having pushed the number (its newest job
 * was a create or an update, and the account has gone since). A number without that proof is someone
 * else's: reported, reserved, never touched. With `fix`, one transaction queues the jobs (create for the
 * missing, update for a drifted secret, delete for an orphan) and the worker's coalescer applies them
 * together. Reading the PBX is the only PBX call made here; every change goes through the jobs.
 */
export function createReconcile({ db, driver, encryptionKey, extensionRange, kick, logger }: {
  db: Database;
  driver: PbxDriver;
  encryptionKey: Buffer;
  extensionRange: { first: number; last: number };
  kick: () => void;
  logger: Logger;
}) {
  async function listPbx(): Promise<PbxListedAccount[]> {
    if (!driver.listAccounts) throw reconcileNotSupportedError({ detail: `The ${driver.name} driver cannot list the accounts of the PBX.` });
    try {
      return await driver.listAccounts(extensionRange);
    } catch (error) {
      if (!(error instanceof PbxError)) throw error;
      throw pbxUnreachableError({ detail: `Reading the PBX failed: ${error.message}`, headers: { 'retry-after': '30' } });
    }
  }

  return async function reconcile({ fix }: { fix: boolean }): Promise<ReconcileReport> {
    const listed = await listPbx();
    const repository = createReconcileRepository({ db });
    const [accounts, busy] = await Promise.all([repository.accountsInRange(extensionRange), repository.withUnfinishedJobs()]);
    const onPbx = new Map(listed.map((entry) => [entry.extension, entry]));
    const held = new Set(accounts.map((account) => account.extension));
    const report: ReconcileReport = {
      driver: driver.name, range: extensionRange, pbxAccounts: listed.length, accounts: accounts.length,
      missingOnPbx: [], secretDrift: [], orphansOnPbx: [], foreign: [], inFlight: [], fixed: fix, jobsQueued: 0,
    };
    const jobs: Parameters<ReturnType<typeof createReconcileRepository>['enqueue']>[0] = [];

    for (const account of accounts) {
      if (busy.has(account.extension)) {
        report.inFlight.push({ extension: account.extension });
        continue;
      }
      if (!EXPECTED_ON_PBX.has(account.status) || driver.name === 'none') continue;
      const there = onPbx.get(account.extension);
      const item = { extension: account.extension, userId: account.userId };
      const job = { sipAccountId: account.id, extension: account.extension, secretVersion: account.secretVersion };
      if (!there) {
        report.missingOnPbx.push(item);
        jobs.push({ ...job, kind: 'create' });
      } else if (!hasOurSecret(there, account)) {
        report.secretDrift.push(item);
        jobs.push({ ...job, kind: 'update' });
      }
    }

    const unheld = listed.filter((entry) => !held.has(entry.extension));
    const [lastKinds, reserved] = await Promise.all([
      repository.lastJobKinds(unheld.map((entry) => entry.extension)),
      repository.reservedForEver(unheld.map((entry) => entry.extension)),
    ]);
    for (const entry of unheld) {
      const { extension } = entry;
      if (busy.has(extension)) report.inFlight.push({ extension });
      else if (!reserved.has(extension) && (entry.marked || lastKinds.get(extension) === 'create' || lastKinds.get(extension) === 'update')) {
        report.orphansOnPbx.push({ extension });
        jobs.push({ sipAccountId: null, extension, kind: 'delete' });
      } else report.foreign.push({ extension });
    }

    await repository.reserveForeign(report.foreign.map((entry) => entry.extension));
    if (fix && jobs.length > 0) {
      await db.transaction((tx) => createReconcileRepository({ db: tx }).enqueue(jobs));
      report.jobsQueued = jobs.length;
      kick();
    }
    logger.info(
      { fix, missing: report.missingOnPbx.length, drift: report.secretDrift.length, orphans: report.orphansOnPbx.length, foreign: report.foreign.length, jobsQueued: report.jobsQueued },
      'PBX reconciled against the database',
    );
    return report;
  };

  function hasOurSecret(there: PbxListedAccount, account: { secretCiphertext: string; nextSecretCiphertext: string | null }): boolean {
    if (there.hasSecret(decryptSecret(encryptionKey, account.secretCiphertext))) return true;
    return account.nextSecretCiphertext !== null && there.hasSecret(decryptSecret(encryptionKey, account.nextSecretCiphertext));
  }
}

export type Reconcile = ReturnType<typeof createReconcile>;
