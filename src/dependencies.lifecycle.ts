import type { Logger } from 'pino';
import type { ResolvedConfig } from './config/load-config.ts';
import type { Database, Queryable } from './db/database.ts';
import type { LoginThrottle } from './modules/auth/login-throttle.ts';
import type { PasswordHasher } from './modules/auth/password-hasher.ts';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from './modules/auth/password-policy.ts';
import type { SessionUseCases } from './modules/auth/sessions.usecases.ts';
import type { Mail } from './modules/mail/create-mail.ts';
import { createDeleteAccount } from './modules/me/delete-account.ts';
import { createUpdateProfile } from './modules/me/update-profile.ts';
import { createEmailVerification } from './modules/onboarding/email-verification.usecases.ts';
import { createUnverifiedAccountSweep } from './modules/onboarding/unverified-sweep.ts';
import { createAccountPages } from './modules/pages/account-pages.ts';
import { createPasswordReset } from './modules/password-reset/password-reset.usecases.ts';
import type { SipAccountUseCases } from './modules/sip-accounts/sip-accounts.usecases.ts';
import type { UserRow } from './modules/users/users.table.ts';
import { createOffRequestPath } from './shared/off-request-path.ts';

/**
 * The composition root's account-lifecycle part: what mailed links lead to (email verification, password
 * reset, their pages), the sweep of accounts never verified, the notices auth sends through mail, and the
 * user's own changes to their account (profile, deletion).
 */
export function buildAccountLifecycle({ db, config, logger, hasher, loginThrottle, mail, sipAccounts, sessions, kickProvisioning }: {
  db: Database;
  config: ResolvedConfig;
  logger: Logger;
  hasher: PasswordHasher;
  loginThrottle: LoginThrottle;
  mail: Mail;
  sipAccounts: SipAccountUseCases;
  sessions: SessionUseCases;
  kickProvisioning: () => void;
}) {
  // Anti-enumeration: resend-verification and forgot-password answer at once; their look-ups run here.
  const offRequestPath = createOffRequestPath({ logger });
  const publicBaseUrl = config.provisioning.publicBaseUrl;
  const emailVerification = createEmailVerification({
    db, mail, sipAccounts, kickProvisioning, publicBaseUrl, tokenTtlSeconds: config.emailVerification.tokenTtlSeconds, offRequestPath, logger,
  });
  const emailProven = { activate: sipAccounts.activateAfterVerification, kick: kickProvisioning };
  const passwordReset = createPasswordReset({ db, hasher, mail, sessions, emailProven, publicBaseUrl, ttlSeconds: config.passwordResetTtlSeconds, offRequestPath, logger });
  const unverifiedSweep = createUnverifiedAccountSweep({ db, ttlSeconds: config.emailVerification.unverifiedAccountTtlSeconds, logger });
  // Auth knows no mail: the password-changed notice is wired here, in the user's language.
  const passwordChangedNotice = {
    queue: (tx: Queryable, user: UserRow) =>
      mail.enqueue(tx, { to: user.email, template: 'password-changed', locale: user.locale, params: user.displayName ? { displayName: user.displayName } : {} }),
    kick: mail.kick,
  };
  return {
    offRequestPath,
    emailVerification,
    passwordReset,
    /** Started with the workers (main.ts); removes accounts never verified (EMAIL_VERIFICATION=required). */
    unverifiedSweep,
    passwordChangedNotice,
    deleteAccount: createDeleteAccount({ db, hasher, throttle: loginThrottle, sessions, sipAccounts, mail, kickProvisioning, logger }),
    updateProfile: createUpdateProfile({ db, sipAccounts, kickProvisioning }),
    pages: createAccountPages({ serviceName: config.serviceName, passwordLength: { min: PASSWORD_MIN_LENGTH, max: PASSWORD_MAX_LENGTH } }),
    /** The sweep stops, then work a request left behind (a resend, a reset mail) finishes before mail stops. */
    async close(): Promise<void> {
      await unverifiedSweep.stop();
      await offRequestPath.close();
    },
  };
}
