import { defineTemplate, displayNameParam, linkMail, linkParams, strict } from './template.ts';

/** Sent by POST /auth/forgot-password: the link opens the reset form (GET /auth/reset-password?token=…). */
export const resetPassword = defineTemplate({
  params: strict({ ...linkParams, ...displayNameParam }),
  render: (params, context) => linkMail(context, 'reset-password', params),
});
