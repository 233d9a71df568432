import type { Logger } from 'pino';
import type { Database } from '../../db/database.ts';
import { isUniqueViolation } from '../../db/errors.ts';
import type { PasswordHasher } from '../auth/password-hasher.ts';
import { assertPasswordAcceptable } from '../auth/password-policy.ts';
import type { SipAccountUseCases } from '../sip-accounts/sip-accounts.usecases.ts';
import type { SipAccountRow, SipAccountStatus } from '../sip-accounts/sip-accounts.table.ts';
import { createUsersRepository, USERS_EMAIL_CONSTRAINT } from '../users/users.repository.ts';
import type { UserRow } from '../users/users.table.ts';
import { emailTakenError } from './onboarding.errors.ts';

/**
 * Sign-up: the user, their extension and the job that creates it on the PBX are committed together, so a
 * PBX that is slow, down or failing can never lose a registration: the job is retried until it is live.
 */
export function createRegisterUser({ db, hasher, sipAccounts, kickProvisioning, provisionWaitMs, logger }: {
  db: Database;
  hasher: Pick<PasswordHasher, 'hash'>;
  sipAccounts: Pick<SipAccountUseCases, 'openAccount' | 'waitUntilSettled'>;
  /** Wakes the provisioning worker once the sign-up has committed. */
  kickProvisioning: () => void;
  provisionWaitMs: number;
  logger: Logger;
}) {
  const users = createUsersRepository({ db });
  const emailTaken = () => emailTakenError({ detail: 'An account with this email already exists.' });

  return async function registerUser(input: { email: string; password: string; displayName?: string }): Promise<{
    user: UserRow;
    account: SipAccountRow;
    provisioningStatus: SipAccountStatus;
  }> {
    const email = input.email.trim();
    assertPasswordAcceptable(input.password);
    // Cheap early answer for the common case; the unique index settles races.
    if (await users.findByEmail(email)) throw emailTaken();
    const passwordHash = await hasher.hash(input.password);

    const { user, account } = await db
      .transaction(async (tx) => {
        const user = await createUsersRepository({ db: tx }).insert({ email, passwordHash, displayName: input.displayName?.trim() || null });
        return { user, account: await sipAccounts.openAccount(tx, user.id) };
      })
      .catch((error: unknown) => {
        throw isUniqueViolation(error, USERS_EMAIL_CONSTRAINT) ? emailTaken() : error;
      });

    logger.info({ userId: user.id, extension: account.extension }, 'User registered; provisioning the SIP extension');
    kickProvisioning();
    // The job may have moved the account to another number (the first was taken on the PBX): answer the current one.
    const current = await sipAccounts.waitUntilSettled(account, provisionWaitMs);
    return { user, account: current, provisioningStatus: current.status };
  };
}
