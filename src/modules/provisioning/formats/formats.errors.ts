import { defineError } from '../../../shared/errors.ts';

/** The format exists but needs operator settings (an Acrobits Cloud ID) this server does not have. */
export const credentialFormatNotConfigured = defineError({
  status: 404,
  code: 'credential_format_not_configured',
  title: 'This credential format is not enabled on this server',
});
