import type { Static } from '@sinclair/typebox';
import { accountDeleted } from './account-deleted.ts';
import { invitation } from './invitation.ts';
import { passwordChanged } from './password-changed.ts';
import { resetPassword } from './reset-password.ts';
import { verifyEmail } from './verify-email.ts';
import { welcome } from './welcome.ts';

/** Every mail the service sends, by the name a caller queues it under. */
export const mailTemplates = {
  'verify-email': verifyEmail,
  'reset-password': resetPassword,
  'password-changed': passwordChanged,
  'account-deleted': accountDeleted,
  welcome,
  invitation,
};

export type MailTemplateName = keyof typeof mailTemplates;
export type MailParams<N extends MailTemplateName> = Static<(typeof mailTemplates)[N]['params']>;

export const isMailTemplateName = (name: string): name is MailTemplateName => Object.hasOwn(mailTemplates, name);
