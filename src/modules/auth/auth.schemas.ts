import { Type } from '@sinclair/typebox';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from './password-policy.ts';

export const Email = Type.String({ format: 'email', maxLength: 254, examples: ['alice@example.com'] });
export const Password = Type.String({ minLength: PASSWORD_MIN_LENGTH, maxLength: PASSWORD_MAX_LENGTH, examples: ['correct horse battery staple'] });

/** JSON `{email, password}`, or the OAuth2 password form (`username` = email) sent by /docs' Authorize button. */
export const LoginBody = Type.Object(
  {
    email: Type.Optional(Email),
    // No control characters: the value is looked up in the database, which refuses a NUL byte outright.
    username: Type.Optional(Type.String({ maxLength: 254, pattern: '^[^\\u0000-\\u001f\\u007f]*$', description: 'OAuth2 password form: the email.' })),
    password: Type.String({ minLength: 1, maxLength: PASSWORD_MAX_LENGTH }),
    grant_type: Type.Optional(Type.Literal('password')),
    scope: Type.Optional(Type.String({ maxLength: 1000 })),
    client_id: Type.Optional(Type.String({ maxLength: 1000 })),
    client_secret: Type.Optional(Type.String({ maxLength: 1000 })),
  },
  { additionalProperties: false },
);

export const TokenResponse = Type.Object({
  access_token: Type.String(),
  token_type: Type.Literal('bearer'),
  expires_in: Type.Integer({ description: 'Seconds until the token expires.' }),
  refresh_token: Type.String({ description: 'Single use: POST /auth/refresh spends it for a new access token and a new refresh token.' }),
  refresh_token_expires_in: Type.Integer({ description: 'Seconds until the refresh token expires unused (REFRESH_TOKEN_EXPIRE_DAYS).' }),
});

/** The same answer for the web page (X-Refresh-Cookie: 1): its refresh token is in the HttpOnly cookie instead. */
export const CookieTokenResponse = Type.Object(
  {
    access_token: Type.String(),
    token_type: Type.Literal('bearer'),
    expires_in: Type.Integer({ description: 'Seconds until the token expires.' }),
    refresh_token_expires_in: Type.Integer({ description: 'Seconds until the cookie\'s refresh token expires unused.' }),
  },
  { description: 'With `X-Refresh-Cookie: 1` (the web page): no `refresh_token` here; it is set in the `refresh_token` cookie (HttpOnly, SameSite=Strict, Path=/auth/refresh).' },
);

/** What login, refresh and password change answer: TokenResponse, or CookieTokenResponse when the web page asks for the cookie. */
export const TokenAnswer = Type.Union([TokenResponse, CookieTokenResponse]);
