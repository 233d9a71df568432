import { Type } from '@sinclair/typebox';
import { Timestamp } from '../../shared/schemas.ts';
import { Email, Password } from '../auth/auth.schemas.ts';

// Printable text only: it ends up in SIP headers and XML, where control characters break things, and
// XML 1.0 cannot carry U+FFFE, U+FFFF or a lone surrogate at all (ajv matches with the `u` flag, so a
// surrogate pair, e.g. an emoji, is one character outside the refused class).
export const DisplayName = Type.String({
  minLength: 1,
  maxLength: 100,
  pattern: '^[^\\u0000-\\u001f\\u007f\\ud800-\\udfff\\ufffe\\uffff]+$',
  examples: ['Alice Example'],
});

export const ProvisioningStatus = Type.Union(
  [Type.Literal('pending'), Type.Literal('active'), Type.Literal('failed'), Type.Literal('deleting'), Type.Literal('awaiting_verification'), Type.Literal('disabled')],
  {
    description:
      'active: the SIP account is live on the PBX; pending: still being created (retried in the background); failed: gave up; ' +
      'awaiting_verification: the number is held, and the account is created once the email is verified (EMAIL_VERIFICATION=required); ' +
      'disabled: an admin disabled the user: the extension is off the PBX and the number held until they are enabled again.',
  },
);

export const LocaleField = Type.Union([Type.Literal('en'), Type.Literal('es')], {
  description: 'Language of mails and pages. Default: from Accept-Language, else DEFAULT_LOCALE.',
});

export const RegisterBody = Type.Object(
  { email: Email, password: Password, display_name: Type.Optional(DisplayName), locale: Type.Optional(LocaleField) },
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

export const MeResponse = Type.Object({
  id: Type.String({ format: 'uuid' }),
  email: Type.String(),
  display_name: Type.String(),
  is_active: Type.Boolean(),
  created_at: Timestamp,
  email_verified: Type.Boolean({ description: 'Whether the email was verified (POST /auth/verify-email).' }),
  locale: Type.Union([Type.String(), Type.Null()], { description: 'Language of the user\'s mails and pages (en or es); null: DEFAULT_LOCALE.' }),
  registration_reported: Type.Boolean({
    description:
      'Whether this service can see phones register at all: true with PBX_DRIVER=kamailio (its location table), or freepbx with FREEPBX_AMI_* set, ' +
      'and REGISTRATION_CHECK_INTERVAL_SECONDS above 0. false: sip_account.status never turns `registered` and registered_at stays null, ' +
      'whether or not a phone registered, so a client should not wait for it.',
  }),
  sip_account: Type.Union([
    Type.Object({
      extension: Type.String(),
      status: Type.Union([ProvisioningStatus, Type.Literal('registered')], {
        description: 'As provisioning_status, and one step further: registered, a phone has registered with these credentials (where the PBX can tell; see registered_at).',
      }),
      last_error: Type.Union([Type.String(), Type.Null()], { description: 'Why the last attempt to set the account up on the PBX failed, if it did, in words for the user (details are in the service logs).' }),
      activated_at: Type.Union([Timestamp, Type.Null()]),
      registered_at: Type.Union([Timestamp, Type.Null()], { description: 'When the service first saw a phone registered with the account (it asks the PBX every REGISTRATION_CHECK_INTERVAL_SECONDS); null: not yet, or the PBX cannot tell (FreePBX).' }),
      user_agent: Type.Union([Type.String(), Type.Null()], { description: 'The User-Agent of that phone, as the registrar stored it.' }),
      provisioning_attempts: Type.Integer(),
    }),
    Type.Null(),
  ]),
});
