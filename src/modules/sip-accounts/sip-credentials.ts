/**
 * What a softphone needs to register, exactly as `GET /sip/credentials` returns it (the original design's
 * contract). Every provisioning format (Linphone XML, QR payloads, ...) is derived from this one shape.
 */
export interface SipCredentials {
  username: string;
  password: string;
  domain: string;
  port: number;
  transport: 'udp' | 'tcp' | 'tls';
  display_name: string;
  auth_username: string;
}
