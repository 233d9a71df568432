import { Type } from '@sinclair/typebox';
import { defineTemplate, displayNameParam, linkMail, linkParams, strict } from './template.ts';

/** An account opened by an administrator: the link lets the person choose their password. */
export const invitation = defineTemplate({
  params: strict({ ...linkParams, ...displayNameParam, invitedBy: Type.Optional(Type.String({ maxLength: 200 })) }),
  render: (params, context) =>
    linkMail(context, 'invitation', params, params.invitedBy ? [context.t('invitation.invitedBy', { invitedBy: params.invitedBy })] : []),
});
