/**
 * What a softphone needs to register, exactly as `GET /sip/credentials` returns it (the original design's
 * contract: the seven first fields, unchanged, plus `proxy` and `media_encryption`). Every provisioning format
 * (Linphone XML, QR payloads, ...) is derived from this one shape.
 */
export interface SipCredentials {
  username: string;
  password: string;
  domain: string;
  port: number;
  transport: 'udp' | 'tcp' | 'tls';
  display_name: string;
  auth_username: string;
  /**
   * The outbound proxy (SIP_PROXY) as `host:port`, an IPv6 host in brackets: the phone sends REGISTER and calls
   * there, with `domain` still the domain of its identity. null (or absent) when there is none: the phone
   * goes to `domain:port`.
   */
  proxy?: string | null;
  /**
   * MEDIA_ENCRYPTION: `none` (or absent), the phone's own choice; `srtp` (SDES-SRTP) and `dtls-srtp`, required
   * of every call; `zrtp`, offered (end to end between phones).
   */
  media_encryption?: MediaEncryption;
}

export type MediaEncryption = 'none' | 'srtp' | 'zrtp' | 'dtls-srtp';
