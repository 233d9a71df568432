import type { Static } from '@sinclair/typebox';
import { describeProvisioningError } from '../sip-accounts/provisioning-error-text.ts';
import type { SipAccountUseCases } from '../sip-accounts/sip-accounts.usecases.ts';
import { defaultDisplayName } from '../users/display-name.ts';
import type { MeResponse } from './onboarding.schemas.ts';

/**
 * The body of GET /auth/me (and of PATCH /auth/me, which answers the same), from the account's state;
 * `registrationReported`: whether this service watches the PBX for registrations at all (registration-watch.ts).
 */
export function meBody({ user, account, job }: Awaited<ReturnType<SipAccountUseCases['getAccountState']>>, registrationReported: boolean): Static<typeof MeResponse> {
  return {
    id: user.id,
    email: user.email,
    display_name: defaultDisplayName(user),
    is_active: user.isActive,
    created_at: user.createdAt.toISOString(),
    email_verified: user.emailVerifiedAt !== null,
    locale: user.locale,
    registration_reported: registrationReported,
    sip_account: account
      ? {
          extension: account.extension,
          // One step past `active`: a phone has registered with these credentials (registration-watch.ts).
          status: account.status === 'active' && account.registeredAt ? 'registered' : account.status,
          last_error: describeProvisioningError(account.lastError),
          activated_at: account.activatedAt?.toISOString() ?? null,
          registered_at: account.registeredAt?.toISOString() ?? null,
          user_agent: account.registeredUserAgent,
          provisioning_attempts: job?.attempts ?? 0,
        }
      : null,
  };
}
