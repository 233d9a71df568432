import { Type } from '@sinclair/typebox';
import { Timestamp } from '../../shared/schemas.ts';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from './password-policy.ts';

export const Email = Type.String({ format: 'email', maxLength: 254, examples: ['alice@example.com'] });
const Password = Type.String({ minLength: PASSWORD_MIN_LENGTH, maxLength: PASSWORD_MAX_LENGTH, examples: ['correct horse battery staple'] });
// Printable text only: it ends up in SIP headers and XML, where control characters break things.
const DisplayName = Type.String({ minLength: 1, maxLength: 100, pattern: '^[^\\u0000-\\u001f\\u007f]+$', examples: ['Alice Example'] });

export const ProvisioningStatus = Type.Union([Type.Literal('pending'), Type.Literal('active'), Type.Literal('failed'), Type.Literal('deleting')], {
  description: 'active: the SIP account is live on the PBX; pending: still being created (retried in the background); failed: gave up.',
});

export const RegisterBody = Type.Object(
  { email: Email, password: Password, display_name: Type.Optional(DisplayName) },
  { additionalProperties: false },
);

export const RegisteredUser = Type.Object({
  id: Type.String({ format: 'uuid' }),
  email: Type.String(),
  sip_extension: Type.String({ examples: ['1000'] }),
  is_active: Type.Boolean(),
  created_at: Timestamp,
  provisioning_status: ProvisioningStatus,
});

/** JSON `{email, password}`, or the OAuth2 password form (`username` = email) sent by /docs' Authorize button. */
export const LoginBody = Type.Object(
  {
    email: Type.Optional(Email),
    username: Type.Optional(Type.String({ maxLength: 254, description: 'OAuth2 password form: the email.' })),
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
});

export const MeResponse = Type.Object({
  id: Type.String({ format: 'uuid' }),
  email: Type.String(),
  display_name: Type.String(),
  is_active: Type.Boolean(),
  created_at: Timestamp,
  sip_account: Type.Union([
    Type.Object({
      extension: Type.String(),
      status: ProvisioningStatus,
      last_error: Type.Union([Type.String(), Type.Null()], { description: 'Why the last attempt to set the account up on the PBX failed, if it did, in words for the user (details are in the service logs).' }),
      activated_at: Type.Union([Timestamp, Type.Null()]),
      provisioning_attempts: Type.Integer(),
    }),
    Type.Null(),
  ]),
});
