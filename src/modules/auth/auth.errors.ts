import { defineError } from '../../shared/errors.ts';

// One body for a wrong password and an unknown email, so neither can be told from the other.
export const invalidCredentialsError = defineError({ status: 401, code: 'invalid_credentials', title: 'Invalid email or password' });
export const notAuthenticatedError = defineError({ status: 401, code: 'not_authenticated', title: 'Not authenticated' });
export const inactiveUserError = defineError({ status: 403, code: 'user_inactive', title: 'User is inactive' });
// Apart from the per-address `rate_limited`: this one counts failed logins per account (see login-throttle.ts).
export const loginThrottledError = defineError({ status: 429, code: 'login_throttled', title: 'Too many failed logins' });
