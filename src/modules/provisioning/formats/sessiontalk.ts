import type { SipCredentials } from '../../sip-accounts/sip-credentials.ts';

export interface SessionTalkOptions {
  /** Needed by SessionTalk's generic app (`scloc:providerId|{…}`); white-label apps have it built in. */
  providerId?: string;
  /** What SessionTalk calls the subdomain; defaults to the full SIP domain. */
  subdomain?: string;
}

/**
 * The SessionTalk QR payload `scloc:[providerId|]{"sipaccounts":[…]}` (docs.sessiontalk.co.uk, "Using QR
 * codes without a provisioning server"). Only the documented SIP fields are written. The payload has no
 * port, display name or outbound proxy field: SessionTalk takes those from the provider's SessionCloud portal
 * settings. `srtp: "Enabled"` (SDES-SRTP) is written with MEDIA_ENCRYPTION=srtp.
 * Whether `subdomain` is joined to the portal's domain or used as the whole host depends on the portal's
 * "Use Subdomains" setting, hence the override.
 */
export function renderSessionTalkQrText(credentials: SipCredentials, options: SessionTalkOptions = {}): string {
  if (options.providerId !== undefined && !/^[^|\s]+$/.test(options.providerId)) {
    throw new RangeError('A SessionTalk provider id cannot be empty or hold "|" or whitespace');
  }
  const account = {
    sipusername: credentials.username,
    sippassword: credentials.password,
    subdomain: options.subdomain ?? credentials.domain,
    authusername: credentials.auth_username,
    transport: credentials.transport.toUpperCase(),
    // SessionTalk's one media key is SDES-SRTP; ZRTP and DTLS-SRTP have none, and the proxy lives in the portal.
    ...(credentials.media_encryption === 'srtp' ? { srtp: 'Enabled' } : {}),
  };
  const prefix = options.providerId === undefined ? '' : `${options.providerId}|`;
  return `scloc:${prefix}${JSON.stringify({ sipaccounts: [account] })}`;
}
