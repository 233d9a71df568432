import { defineError } from '../../shared/errors.ts';

const invalidLink = defineError({ status: 404, code: 'provisioning_link_invalid', title: 'Provisioning link not valid' });

/**
 * The one answer for unknown, malformed, expired, used and superseded links alike, so a caller learns
 * nothing about which tokens exist.
 */
export const provisioningLinkInvalidError = () =>
  invalidLink({ detail: 'This provisioning link is unknown, has expired or was already used. Ask for a new one.' });
