import { inactiveUserError } from '../auth/auth.errors.ts';
import type { SipAccountRow } from './sip-accounts.table.ts';
import { emailNotVerifiedError, sipAccountFailedError, sipAccountMissingError, sipAccountPendingError } from './sip-accounts.errors.ts';

/** Seconds a client should wait before asking again while the PBX finishes the account. */
export const PENDING_RETRY_AFTER_SECONDS = 5;

/**
 * The one rule for "is this account live": only an active account has credentials a phone can use, and
 * every route that needs them answers the same errors (404 none, 403 disabled by an admin, 409 email not
 * verified, 409 pending with Retry-After, 409 failed).
 */
export function assertAccountLive<T extends Pick<SipAccountRow, 'status'>>(account: T | undefined): asserts account is T {
  if (!account || account.status === 'deleting') throw sipAccountMissingError({ detail: 'This user has no SIP account.' });
  if (account.status === 'disabled') throw inactiveUserError({ detail: 'This account has been deactivated.' });
  if (account.status === 'awaiting_verification') {
    throw emailNotVerifiedError({ detail: 'Confirm your email address first: open the link in the mail we sent you (or ask for a new one).' });
  }
  if (account.status === 'pending') {
    throw sipAccountPendingError({
      detail: 'Your SIP extension is being created on the phone system. Try again in a few seconds.',
      headers: { 'retry-after': String(PENDING_RETRY_AFTER_SECONDS) },
    });
  }
  if (account.status === 'failed') {
    throw sipAccountFailedError({ detail: 'The phone system refused to create your SIP extension. Please contact support.' });
  }
}
