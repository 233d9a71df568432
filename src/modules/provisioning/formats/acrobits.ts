import type { SipCredentials } from '../../sip-accounts/sip-credentials.ts';

export interface AcrobitsOptions {
  /** The operator's Cloud ID from the Cloud Softphone portal; a trailing `*` selects the unapproved test build. */
  cloudId: string;
}

// Acrobits: "Valid Cloud IDs contain only letters and digits" (doc.acrobits.net/cloudsoftphone/qr.html).
const VALID_CLOUD_ID = /^[A-Za-z0-9]+\*?$/;

// Stricter than encodeURIComponent, which leaves !'()* bare: `*` means "test build" at the end of the code,
// and the app splits at the last `@` and the first `:`, so only RFC 3986 unreserved characters stay bare.
function encodeSegment(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** The Acrobits Cloud Softphone QR payload `csc:username:password@CLOUDID`. */
export function renderAcrobitsQrText(credentials: SipCredentials, options: AcrobitsOptions): string {
  if (!VALID_CLOUD_ID.test(options.cloudId)) {
    throw new RangeError('An Acrobits Cloud ID holds only letters and digits, optionally followed by "*"');
  }
  return `csc:${encodeSegment(credentials.username)}:${encodeSegment(credentials.password)}@${options.cloudId}`;
}
