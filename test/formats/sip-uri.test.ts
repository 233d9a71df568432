import { describe, expect, it } from 'vitest';
import { escapeSipUserPart, renderSipUri } from '../../src/modules/provisioning/formats/sip-uri.ts';
import { alice } from '../support/sample-credentials.ts';

describe('renderSipUri', () => {
  it('leaves out the default port and the default transport (UDP)', () => {
    expect(renderSipUri(alice)).toBe('sip:1001@pbx.example.com');
  });

  it('names TCP and keeps a port that is not the default', () => {
    expect(renderSipUri({ ...alice, transport: 'tcp', port: 5080 })).toBe('sip:1001@pbx.example.com:5080;transport=tcp');
  });

  it('keeps 5060 for TLS, because a TLS URI without a port means 5061', () => {
    expect(renderSipUri({ ...alice, transport: 'tls' })).toBe('sip:1001@pbx.example.com:5060;transport=tls');
    expect(renderSipUri({ ...alice, transport: 'tls', port: 5061 })).toBe('sip:1001@pbx.example.com;transport=tls');
  });

  it('brackets an IPv6 registrar so its colons are not read as a port', () => {
    expect(renderSipUri({ ...alice, domain: '2001:db8::1', port: 5070 })).toBe('sip:1001@[2001:db8::1]:5070');
  });

  it('stays the address of record with an outbound proxy: the proxy is where to send, not who the account is', () => {
    expect(renderSipUri({ ...alice, proxy: 'sip-edge.example.net:5070' })).toBe('sip:1001@pbx.example.com');
  });

  it('says nothing of the media encryption, which a SIP URI has no parameter for', () => {
    expect(renderSipUri({ ...alice, transport: 'tls', port: 5061, media_encryption: 'srtp' })).toBe('sip:1001@pbx.example.com;transport=tls');
  });

  it('never shows the password or the display name', () => {
    expect(renderSipUri(alice)).not.toMatch(/SECRET|Alice/);
  });
});

describe('escapeSipUserPart', () => {
  it("keeps RFC 3261's unreserved and user-unreserved characters bare", () => {
    expect(escapeSipUserPart("aZ09-_.!~*'()&=+$,;?/")).toBe("aZ09-_.!~*'()&=+$,;?/");
  });

  it('percent-encodes @, :, space, %, quotes and angle brackets', () => {
    expect(escapeSipUserPart('a@b:c d%e"f<g>')).toBe('a%40b%3Ac%20d%25e%22f%3Cg%3E');
  });

  it('percent-encodes non-ASCII characters as their UTF-8 bytes', () => {
    expect(escapeSipUserPart('zoë😀')).toBe('zo%C3%AB%F0%9F%98%80');
  });
});
