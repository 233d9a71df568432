import { describe, expect, it } from 'vitest';
import { renderAcrobitsQrText } from '../../src/modules/provisioning/formats/acrobits.ts';
import { alice } from '../support/sample-credentials.ts';

describe('renderAcrobitsQrText', () => {
  it('renders csc:username:password@CLOUDID', () => {
    expect(renderAcrobitsQrText(alice, { cloudId: 'ACME42' })).toBe('csc:1001:THE-SIP-SECRET@ACME42');
  });

  it('percent-encodes the separators and everything outside RFC 3986 unreserved in username and password', () => {
    const text = renderAcrobitsQrText(
      { ...alice, username: 'jo@home:1', password: "p@ss:w/rd%*!'() é" },
      { cloudId: 'ACME42' },
    );

    expect(text).toBe('csc:jo%40home%3A1:p%40ss%3Aw%2Frd%25%2A%21%27%28%29%20%C3%A9@ACME42');
  });

  it('decodes back to the original credentials the way the app splits it: last @, then first :', () => {
    const credentials = { ...alice, username: 'a:b@c', password: 'x@y:z%' };
    const text = renderAcrobitsQrText(credentials, { cloudId: 'ACME42' });
    const beforeCloudId = text.slice('csc:'.length, text.lastIndexOf('@'));
    const [username, password] = beforeCloudId.split(':');

    expect(decodeURIComponent(username ?? '')).toBe(credentials.username);
    expect(decodeURIComponent(password ?? '')).toBe(credentials.password);
  });

  it('carries only the credentials: proxy, transport and port come from the Cloud Softphone portal', () => {
    expect(renderAcrobitsQrText({ ...alice, proxy: 'sip-edge.example.net:5070', transport: 'tls', port: 5061 }, { cloudId: 'ACME42' })).toBe(
      'csc:1001:THE-SIP-SECRET@ACME42',
    );
  });

  it('accepts a trailing * that selects the test build of the app', () => {
    expect(renderAcrobitsQrText(alice, { cloudId: 'ACME42*' })).toBe('csc:1001:THE-SIP-SECRET@ACME42*');
  });

  it('refuses a Cloud ID that is not letters and digits', () => {
    expect(() => renderAcrobitsQrText(alice, { cloudId: 'AC ME' })).toThrow(RangeError);
    expect(() => renderAcrobitsQrText(alice, { cloudId: 'ACME@evil' })).toThrow(RangeError);
    expect(() => renderAcrobitsQrText(alice, { cloudId: '' })).toThrow(RangeError);
  });
});
