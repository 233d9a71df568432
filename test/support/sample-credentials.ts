import type { SipCredentials } from '../../src/modules/sip-accounts/sip-credentials.ts';

/** The account of the Linphone provisioning notes' minimal document, so its expected text can be quoted. */
export const alice: SipCredentials = {
  username: '1001',
  password: 'THE-SIP-SECRET',
  domain: 'pbx.example.com',
  port: 5060,
  transport: 'udp',
  display_name: 'Alice Example',
  auth_username: '1001',
};
