import { Type } from '@sinclair/typebox';
import { SUPPORTED_LOCALES } from '../../shared/locale.ts';
import { PASSWORD_MAX_LENGTH } from '../auth/password-policy.ts';
import { DisplayName } from '../onboarding/onboarding.schemas.ts';

export const DeleteMeBody = Type.Object(
  { password: Type.String({ minLength: 1, maxLength: PASSWORD_MAX_LENGTH, description: 'The current password: a stolen token alone cannot delete an account.' }) },
  { additionalProperties: false },
);

export const DeletingResponse = Type.Object({
  status: Type.Literal('deleting', { description: 'Refused everywhere from now on; the extension is being removed from the PBX, then the data erased.' }),
});

export const PatchMeBody = Type.Object(
  {
    display_name: Type.Optional(DisplayName),
    locale: Type.Optional(Type.Union(SUPPORTED_LOCALES.map((locale) => Type.Literal(locale)), { description: 'Language of mails and pages.' })),
  },
  { additionalProperties: false },
);
