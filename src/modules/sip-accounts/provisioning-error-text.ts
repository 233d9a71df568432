import type { PbxErrorKind } from '../pbx/pbx-driver.ts';

/**
 * What a user is told about the last failed attempt to reach the PBX. The stored error (`<kind>: <detail>`,
 * see provisioning-worker.ts) is for operators and logs: its detail may name internal hosts and addresses,
 * so only a PBX's own refusal (e.g. a licence limit) is passed on word for word. Whether the service is still
 * trying shows in the account's status (pending or failed), not here.
 */
const TEXT_BY_KIND: Record<PbxErrorKind, string> = {
  unavailable: 'The phone system cannot be reached right now.',
  auth: 'The service cannot sign in to the phone system; an operator has to fix its API credentials.',
  rejected: 'The phone system refused the request',
  extension_taken: 'The extension number was already taken on the phone system; another one is being set up.',
  apply_failed: 'The phone system failed to apply its new configuration.',
  apply_timeout: 'The phone system took too long to apply its new configuration.',
};

export function describeProvisioningError(stored: string | null): string | null {
  if (stored === null) return null;
  const separator = stored.indexOf(': ');
  const kind = stored.slice(0, separator) as PbxErrorKind;
  const text = separator > 0 ? TEXT_BY_KIND[kind] : undefined;
  if (!text) return 'Setting up the extension failed.';
  return kind === 'rejected' ? `${text}: ${stored.slice(separator + 2)}` : text;
}
