import type { Logger } from 'pino';
import type { Database } from '../../db/database.ts';
import { isUniqueViolation } from '../../db/errors.ts';
import type { PasswordHasher } from '../auth/password-hasher.ts';
import { assertPasswordAcceptable } from '../auth/password-policy.ts';
import type { SipAccountUseCases } from '../sip-accounts/sip-accounts.usecases.ts';
import type { SipAccountRow, SipAccountStatus } from '../sip-accounts/sip-accounts.table.ts';
import { createUsersRepository, USERS_EMAIL_CONSTRAINT } from '../users/users.repository.ts';
import type { UserRow } from '../users/users.table.ts';
import type { EmailVerification } from './email-verification.usecases.ts';
import { emailTakenError } from './onboarding.errors.ts';

/**
 * Sign-up: the user, their extension, the job that creates it on the PBX and the verification mail are
 * committed together, so a PBX that is slow, down or failing can never lose a registration: the job is
 * retried until it is live. With `verificationRequired` the number is held and the job waits for the
 * email to be verified (see email-verification.usecases.ts).
 */
export function createRegisterUser({ db, hasher, sipAccounts, kickProvisioning, provisionWaitMs, logger, verification, verificationRequired = false, kickMail }: {
  db: Database;
  hasher: Pick<PasswordHasher, 'hash'>;
  sipAccounts: Pick<SipAccountUseCases, 'openAccount' | 'waitUntilSettled'>;
  /** Wakes the provisioning worker once the sign-up has committed. */
  kickProvisioning: () => void;
  provisionWaitMs: number;
  logger: Logger;
  verification: Pick<EmailVerification, 'sendVerification'>;
  verificationRequired?: boolean;
  /** Wakes the mail worker once the sign-up has committed. */
  kickMail: () => void;
}) {
  const users = createUsersRepository({ db });
  const emailTaken = () => emailTakenError({ detail: 'An account with this email already exists.' });

  return async function registerUser(input: { email: string; password: string; displayName?: string; locale: string }): Promise<{
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
        const user = await createUsersRepository({ db: tx }).insert({ email, passwordHash, displayName: input.displayName?.trim() || null, locale: input.locale });
        const account = await sipAccounts.openAccount(tx, user.id, { awaitVerification: verificationRequired });
        await verification.sendVerification(tx, user);
        return { user, account };
      })
      .catch((error: unknown) => {
        throw isUniqueViolation(error, USERS_EMAIL_CONSTRAINT) ? emailTaken() : error;
      });

    kickMail();
    if (account.status === 'awaiting_verification') {
      logger.info({ userId: user.id, extension: account.extension }, 'User registered; the SIP extension waits for the email to be verified');
      return { user, account, provisioningStatus: account.status };
    }
    logger.info({ userId: user.id, extension: account.extension }, 'User registered; provisioning the SIP extension');
    kickProvisioning();
    // The job may have moved the account to another number (the first was taken on the PBX): answer the current one.
    const current = await sipAccounts.waitUntilSettled(account, provisionWaitMs);
    return { user, account: current, provisioningStatus: current.status };
  };
}
