import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Database, Transaction } from '../../db/database.ts';
import { decryptSecret } from '../../shared/crypto.ts';
import type { AccountProvisioning, JobSubject } from '../provisioning-jobs/account-provisioning.port.ts';
import { defaultDisplayName } from '../users/display-name.ts';
import { createUsersRepository } from '../users/users.repository.ts';
import { repairAccountStates } from './account-repair.ts';
import type { AccountWentLive } from './account-live.port.ts';
import type { AccountWatch } from './account-watch.ts';
import { createSecretRotationRepository } from './secret-rotation.repository.ts';
import { createSipAccountsRepository } from './sip-accounts.repository.ts';
import { sipAccounts } from './sip-accounts.table.ts';

/**
 * The provisioning queue's view of SIP accounts (the port it declares): what to push, and the account
 * state that follows each job, always written in the job's own transaction.
 */
export function createAccountProvisioning({ db, encryptionKey, extensionRange, extensionReuseAfterSeconds = 0, watch, wentLive }: {
  db: Database;
  encryptionKey: Buffer;
  extensionRange: { first: number; last: number };
  /** How long a number freed by a user who left is kept back (EXTENSION_REUSE_AFTER); 0: not at all. */
  extensionReuseAfterSeconds?: number;
  watch: Pick<AccountWatch, 'announce'>;
  /** Told, in the job's transaction, when a create job is live (the welcome mail). */
  wentLive?: AccountWentLive;
}): AccountProvisioning {
  const accounts = createSipAccountsRepository({ db });
  const users = createUsersRepository({ db });

  return {
    async accountForJob(job: JobSubject) {
      const account = await accounts.findById(job.sipAccountId);
      if (!account) return undefined;
      const user = await users.findById(account.userId);
      // A rotation's job pushes the next secret; the live one stays live here until this job's change is live.
      // Another update (a new display name) pushes the secret of its own version, the live one.
      const rotation = job.kind === 'update' && account.nextSecretCiphertext && job.secretVersion === account.secretVersion + 1;
      const sealed = rotation ? account.nextSecretCiphertext! : account.secretCiphertext;
      return {
        extension: account.extension,
        secret: decryptSecret(encryptionKey, sealed),
        displayName: user ? defaultDisplayName(user) : account.extension,
        email: user?.email ?? '',
      };
    },

    async markLive(tx: Transaction, job: JobSubject) {
      // An update job that is live makes the secret it pushed the live one (see secret-rotation.repository.ts).
      if (job.kind === 'update') await createSecretRotationRepository({ db: tx }).promoteNextSecret(job.sipAccountId, job.secretVersion);
      // A create that went live after an admin disabled the user (a delete job follows it) welcomes nobody.
      const live = await createSipAccountsRepository({ db: tx }).setStatus(job.sipAccountId, 'active');
      if (job.kind === 'create' && live) await wentLive?.accountWentLive(tx, job.sipAccountId);
    },

    /**
     * The extension is off the PBX: the user who left is erased (their account and links cascade), in the
     * job's transaction; the job row stays, anonymous. The number is kept back for EXTENSION_REUSE_AFTER.
     * A disabled user's account (account-administration.ts) stays, number and all: only its error is cleared.
     */
    async markRemoved(tx: Transaction, job: JobSubject) {
      const account = await createSipAccountsRepository({ db: tx }).findById(job.sipAccountId);
      if (account?.status === 'disabled') await createSipAccountsRepository({ db: tx }).setStatus(account.id, 'disabled');
      if (account?.status !== 'deleting') return;
      if (extensionReuseAfterSeconds > 0) {
        await createSipAccountsRepository({ db: tx }).reserveExtensionFor(account.extension, 'freed by a user who left', extensionReuseAfterSeconds);
      }
      await createUsersRepository({ db: tx }).erase(account.userId);
    },

    async markFailed(tx: Transaction, job: JobSubject, error: string) {
      // A refused update (a rotation) leaves the account as it was on the PBX: still live with its old secret.
      const repository = createSipAccountsRepository({ db: tx });
      if (job.kind === 'delete') return repository.noteError(job.sipAccountId, error); // deleting or disabled stays so
      await repository.setStatus(job.sipAccountId, job.kind === 'update' ? 'active' : 'failed', error);
    },

    async noteRetry(tx: Transaction, job: JobSubject, error: string) {
      const repository = createSipAccountsRepository({ db: tx });
      // A removal keeps the status it has: deleting (the user left) or disabled (an admin cut them off).
      if (job.kind === 'delete') return repository.noteError(job.sipAccountId, error);
      await repository.setStatus(job.sipAccountId, job.kind === 'create' ? 'pending' : 'active', error);
    },

    async noteApplyError(tx: Transaction, sipAccountIds: string[], error: string) {
      if (sipAccountIds.length === 0) return;
      await tx
        .update(sipAccounts)
        .set({ lastError: error, updatedAt: sql`now()` })
        .where(and(eq(sipAccounts.status, 'pending'), inArray(sipAccounts.id, sipAccountIds)));
    },

    /** The number belongs to someone else on the PBX: never take it over; reserve it and use the next free one. */
    async moveToNextFreeExtension(tx: Transaction, sipAccountId: string, takenExtension: string) {
      const repository = createSipAccountsRepository({ db: tx });
      await repository.reserveExtension(takenExtension, 'in use on the PBX by an account this service did not create');
      const next = await repository.allocateExtension(extensionRange);
      if (next) await repository.changeExtension(sipAccountId, next);
      return next;
    },

    repairStates: () => repairAccountStates(db),

    announceChanged(sipAccountIds: string[]) {
      watch.announce(sipAccountIds);
      wentLive?.committed();
    },
  };
}
