import type { SipCredentials } from '../../sip-accounts/sip-credentials.ts';

// RFC 3261 §25.1: user = 1*( unreserved / escaped / user-unreserved ); unreserved = alphanum / mark.
const ALLOWED_IN_SIP_USER = /[A-Za-z0-9\-_.!~*'()&=+$,;?/]/;

const DEFAULT_PORT_BY_TRANSPORT: Record<SipCredentials['transport'], number> = { udp: 5060, tcp: 5060, tls: 5061 };

/** Percent-encodes, as UTF-8, every character RFC 3261 does not allow bare in the user part of a SIP URI. */
export function escapeSipUserPart(user: string): string {
  let escaped = '';
  for (const character of user) {
    escaped += ALLOWED_IN_SIP_USER.test(character)
      ? character
      : Array.from(Buffer.from(character, 'utf8'), (byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`).join('');
  }
  return escaped;
}

/** An IPv6 literal must be bracketed, or its colons would read as a port separator. */
export function formatSipHost(domain: string): string {
  return domain.includes(':') && !domain.startsWith('[') ? `[${domain}]` : domain;
}

/**
 * `sip:user@domain`, with the port only when it differs from the transport's default (a bare TLS URI means
 * 5061, RFC 3261 §19.1.2) and `;transport=` only when it is not UDP, the default.
 */
export function renderSipUri(credentials: SipCredentials): string {
  const port = credentials.port === DEFAULT_PORT_BY_TRANSPORT[credentials.transport] ? '' : `:${credentials.port}`;
  const transport = credentials.transport === 'udp' ? '' : `;transport=${credentials.transport}`;
  return `sip:${escapeSipUserPart(credentials.username)}@${formatSipHost(credentials.domain)}${port}${transport}`;
}
