import { defineError } from '../../shared/errors.ts';

// One answer for an unknown, expired, spent (reused) or ended refresh token: the client's next step is the same.
export const invalidRefreshTokenError = defineError({ status: 401, code: 'invalid_refresh_token', title: 'Invalid refresh token' });
// Unknown, ended, or someone else's: one answer, so session ids of others cannot be probed.
export const sessionNotFoundError = defineError({ status: 404, code: 'session_not_found', title: 'Session not found' });
