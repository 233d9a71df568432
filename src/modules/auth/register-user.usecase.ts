import type { Logger } from 'pino';
import type { Database } from '../../db/database.ts';
import { isUniqueViolation } from '../../db/errors.ts';
import { encryptSecret, generateSipSecret } from '../../shared/crypto.ts';
import { createJobsRepository } from '../provisioning-jobs/jobs.repository.ts';
import type { ProvisioningWorker } from '../provisioning-jobs/provisioning-worker.ts';
import { extensionsExhaustedError } from '../sip-accounts/sip-accounts.errors.ts';
import { createSipAccountsRepository } from '../sip-accounts/sip-accounts.repository.ts';
import type { SipAccountRow, SipAccountStatus } from '../sip-accounts/sip-accounts.table.ts';
import { createUsersRepository, USERS_EMAIL_CONSTRAINT } from '../users/users.repository.ts';
import type { UserRow } from '../users/users.table.ts';
import { emailTakenError } from './auth.errors.ts';
import type { PasswordHasher } from './password-hasher.ts';
import { assertPasswordAcceptable } from './password-policy.ts';

/**
 * Sign-up: the user, their extension and the job that creates it on the PBX are committed together, so a
 * PBX that is slow, down or failing can never lose a registration: the job is retried until it is live.
 */
export function createRegisterUser({ db, hasher, worker, encryptionKey, extensionRange, provisionWaitMs, logger }: {
  db: Database;
  hasher: PasswordHasher;
  worker: Pick<ProvisioningWorker, 'kick' | 'waitForAccount'>;
  encryptionKey: Buffer;
  extensionRange: { first: number; last: number };
  provisionWaitMs: number;
  logger: Logger;
}) {
  return async function registerUser(input: { email: string; password: string; displayName?: string }): Promise<{
    user: UserRow;
    account: SipAccountRow;
    provisioningStatus: SipAccountStatus;
  }> {
    const email = input.email.trim();
    assertPasswordAcceptable(input.password);
    // Cheap early answer for the common case; the unique index settles races.
    if (await createUsersRepository({ db }).findByEmail(email)) throw emailTakenError({ detail: 'An account with this email already exists.' });
    const passwordHash = await hasher.hash(input.password);
    const secretCiphertext = encryptSecret(encryptionKey, generateSipSecret());

    const { user, account } = await db
      .transaction(async (tx) => {
        const user = await createUsersRepository({ db: tx }).insert({ email, passwordHash, displayName: input.displayName?.trim() || null });
        const accounts = createSipAccountsRepository({ db: tx });
        const extension = await accounts.allocateExtension(extensionRange);
        if (!extension) {
          throw extensionsExhaustedError({
            detail: `Every extension in ${extensionRange.first}-${extensionRange.last} is taken. An operator must widen EXTENSION_RANGE.`,
          });
        }
        const account = await accounts.insert({ userId: user.id, extension, secretCiphertext });
        await createJobsRepository({ db: tx }).enqueue({ sipAccountId: account.id, extension, kind: 'create' });
        return { user, account };
      })
      .catch((error: unknown) => {
        if (isUniqueViolation(error, USERS_EMAIL_CONSTRAINT)) throw emailTakenError({ detail: 'An account with this email already exists.' });
        throw error;
      });

    logger.info({ userId: user.id, extension: account.extension }, 'User registered; provisioning the SIP extension');
    worker.kick();
    const provisioningStatus = await worker.waitForAccount(account.id, provisionWaitMs);
    // Read again: the job may have moved the account to another number (the first was taken on the PBX).
    const current = (await createSipAccountsRepository({ db }).findById(account.id)) ?? account;
    return { user, account: { ...current, status: provisioningStatus }, provisioningStatus };
  };
}
