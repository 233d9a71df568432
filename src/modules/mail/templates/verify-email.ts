import { defineTemplate, displayNameParam, linkMail, linkParams, strict } from './template.ts';

/** Sent at sign-up: the link opens the confirmation page (GET /auth/verify-email?token=…). */
export const verifyEmail = defineTemplate({
  params: strict({ ...linkParams, ...displayNameParam }),
  render: (params, context) => linkMail(context, 'verify-email', params),
});
