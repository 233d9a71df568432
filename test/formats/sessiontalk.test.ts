import { describe, expect, it } from 'vitest';
import { renderSessionTalkQrText } from '../../src/modules/provisioning/formats/sessiontalk.ts';
import { alice } from '../support/sample-credentials.ts';

describe('renderSessionTalkQrText', () => {
  it('renders the white-label form with the documented SIP fields and an upper-case transport', () => {
    expect(renderSessionTalkQrText(alice)).toBe(
      'scloc:{"sipaccounts":[{"sipusername":"1001","sippassword":"THE-SIP-SECRET","subdomain":"pbx.example.com","authusername":"1001","transport":"UDP"}]}',
    );
  });

  it("prefixes the generic app's provider id and uses a given subdomain", () => {
    expect(renderSessionTalkQrText({ ...alice, transport: 'tls' }, { providerId: 'AcmeInc', subdomain: 'pbx' })).toBe(
      'scloc:AcmeInc|{"sipaccounts":[{"sipusername":"1001","sippassword":"THE-SIP-SECRET","subdomain":"pbx","authusername":"1001","transport":"TLS"}]}',
    );
  });

  it('has no place for an outbound proxy (the SessionCloud portal holds it): the payload stays the same', () => {
    expect(renderSessionTalkQrText({ ...alice, proxy: 'sip-edge.example.net:5070' })).toBe(renderSessionTalkQrText(alice));
  });

  it('writes srtp "Enabled" for SDES-SRTP, and nothing for ZRTP or DTLS-SRTP, which it has no key for', () => {
    expect(renderSessionTalkQrText({ ...alice, transport: 'tls', media_encryption: 'srtp' })).toBe(
      'scloc:{"sipaccounts":[{"sipusername":"1001","sippassword":"THE-SIP-SECRET","subdomain":"pbx.example.com","authusername":"1001","transport":"TLS","srtp":"Enabled"}]}',
    );
    expect(renderSessionTalkQrText({ ...alice, media_encryption: 'zrtp' })).toBe(renderSessionTalkQrText(alice));
    expect(renderSessionTalkQrText({ ...alice, media_encryption: 'dtls-srtp' })).toBe(renderSessionTalkQrText(alice));
  });

  it('JSON-escapes quotes and backslashes in a password so the payload still parses to the original', () => {
    const password = 'a"b\\c}]';
    const text = renderSessionTalkQrText({ ...alice, password });

    expect(text).toContain('"sippassword":"a\\"b\\\\c}]"');
    expect(JSON.parse(text.slice('scloc:'.length)).sipaccounts[0].sippassword).toBe(password);
  });

  it('refuses a provider id holding the | separator or whitespace', () => {
    expect(() => renderSessionTalkQrText(alice, { providerId: 'Acme|Inc' })).toThrow(RangeError);
    expect(() => renderSessionTalkQrText(alice, { providerId: 'Acme Inc' })).toThrow(RangeError);
  });
});
