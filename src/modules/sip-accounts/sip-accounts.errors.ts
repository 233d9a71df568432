import { defineError } from '../../shared/errors.ts';

export const extensionsExhaustedError = defineError({ status: 503, code: 'extension_range_exhausted', title: 'No free SIP extension' });
export const sipAccountPendingError = defineError({ status: 409, code: 'sip_account_pending', title: 'SIP account is being set up' });
export const sipAccountFailedError = defineError({ status: 409, code: 'sip_account_failed', title: 'SIP account could not be set up' });
export const emailNotVerifiedError = defineError({ status: 409, code: 'email_not_verified', title: 'Email address not verified' });
export const sipAccountMissingError = defineError({ status: 404, code: 'sip_account_not_found', title: 'No SIP account' });
