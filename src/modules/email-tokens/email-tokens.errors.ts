import { defineError } from '../../shared/errors.ts';

// One answer for an unknown, used, superseded and expired token: none can be told from another.
export const emailTokenInvalidError = defineError({ status: 400, code: 'email_token_invalid', title: 'Invalid or expired link' });

export const invalidEmailToken = () =>
  emailTokenInvalidError({ detail: 'This link is invalid, has expired or was already used. Ask for a new one.' });
