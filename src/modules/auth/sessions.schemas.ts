import { Type } from '@sinclair/typebox';
import { Timestamp } from '../../shared/schemas.ts';
import { Password } from './auth.schemas.ts';
import { PASSWORD_MAX_LENGTH } from './password-policy.ts';

/**
 * JSON `{"refresh_token"}`, or the OAuth2 refresh form (`grant_type=refresh_token&refresh_token=…`). The field
 * is optional in the schema only for the web page, whose token is in its cookie: without the cookie header, a
 * body without it gets the same 422 as before (sessions.routes.ts).
 */
export const RefreshBody = Type.Object(
  {
    refresh_token: Type.Optional(Type.String({ minLength: 1, maxLength: 512, description: 'Required, except with `X-Refresh-Cookie: 1` (the web page), whose token is in its cookie.' })),
    grant_type: Type.Optional(Type.Literal('refresh_token')),
  },
  { additionalProperties: false },
);

export const SessionSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  created_at: Timestamp,
  last_used_at: Type.String({ format: 'date-time', description: 'The last login or refresh (not every request).' }),
  expires_at: Type.String({ format: 'date-time', description: 'When it ends unless refreshed before.' }),
  ip_address: Type.Union([Type.String(), Type.Null()], { description: 'The client address of the last login or refresh.' }),
  user_agent: Type.Union([Type.String(), Type.Null()], { description: 'The User-Agent of the last login or refresh.' }),
  current: Type.Boolean({ description: 'The session of the access token of this request.' }),
});

export const SessionList = Type.Object({ sessions: Type.Array(SessionSchema) });

export const SessionIdParams = Type.Object({ id: Type.String({ maxLength: 100 }) });

export const ChangePasswordBody = Type.Object(
  {
    current_password: Type.String({ minLength: 1, maxLength: PASSWORD_MAX_LENGTH }),
    new_password: Password,
  },
  { additionalProperties: false },
);
