import { describe, expect, it } from 'vitest';
import type { SipCredentials } from '../../src/modules/sip-accounts/sip-credentials.ts';
import { renderLinphoneXml } from '../../src/modules/provisioning/formats/linphone-xml.ts';
import { alice } from '../support/sample-credentials.ts';
import { LPCONFIG_SCHEMA_PATH, readLpconfigEntry, runXmllint } from '../support/xmllint.ts';

const hostileDisplayName = `<script>&"'\\ Zoë 東京 😀</script>`;

const hostile: SipCredentials = {
  ...alice,
  username: '1002',
  password: `p<a>s&s"w'o\\rd]]>`,
  display_name: hostileDisplayName,
  auth_username: 'auth&1002',
};

async function expectValidAgainstLpconfigSchema(document: string): Promise<void> {
  const result = await runXmllint(['--noout', '--schema', LPCONFIG_SCHEMA_PATH], document);
  expect(result.stderr).toContain('document.xml validates');
  expect(result.status).toBe(0);
}

// The inverse of RFC 3261's quoted-string, for checking what a SIP stack would read back.
function unquoteSipDisplayName(regIdentity: string): string {
  const quoted = /^"((?:[^"\\]|\\.)*)" <sip:[^>]*>$/u.exec(regIdentity);
  if (quoted?.[1] === undefined) throw new Error(`not a quoted display name: ${regIdentity}`);
  return quoted[1].replace(/\\(.)/gu, '$1');
}

describe('renderLinphoneXml', () => {
  it('renders the minimal one-account document of the provisioning notes, byte for byte', async () => {
    expect(renderLinphoneXml(alice)).toBe(
      `<?xml version="1.0" encoding="UTF-8"?>
<config xmlns="http://www.linphone.org/xsds/lpconfig.xsd">
  <section name="misc">
    <entry name="transient_provisioning" overwrite="true">1</entry>
  </section>
  <section name="proxy_0">
    <entry name="reg_identity" overwrite="true">"Alice Example" &lt;sip:1001@pbx.example.com&gt;</entry>
    <entry name="reg_proxy" overwrite="true">&lt;sip:pbx.example.com:5060;transport=udp&gt;</entry>
    <entry name="reg_expires" overwrite="true">3600</entry>
    <entry name="reg_sendregister" overwrite="true">1</entry>
  </section>
  <section name="auth_info_0">
    <entry name="username" overwrite="true">1001</entry>
    <entry name="userid" overwrite="true">1001</entry>
    <entry name="passwd" overwrite="true">THE-SIP-SECRET</entry>
    <entry name="domain" overwrite="true">pbx.example.com</entry>
  </section>
</config>
`,
    );
  });

  it("validates against Linphone's lpconfig.xsd, with ordinary and hostile values alike", async () => {
    await expectValidAgainstLpconfigSchema(renderLinphoneXml(alice));
    await expectValidAgainstLpconfigSchema(renderLinphoneXml(hostile, { transient: false, regExpires: 600 }));
  });

  it('the schema check really checks: a document with an element lpconfig.xsd does not know fails it', async () => {
    const broken = renderLinphoneXml(alice).replace('<section name="misc">', '<section name="misc"><bogus/>');
    const result = await runXmllint(['--noout', '--schema', LPCONFIG_SCHEMA_PATH], broken);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('fails to validate');
  });

  it('a display name with XML special characters and non-ASCII round-trips through the XML', async () => {
    const document = renderLinphoneXml(hostile);

    expect(unquoteSipDisplayName(await readLpconfigEntry(document, 'proxy_0', 'reg_identity'))).toBe(hostileDisplayName);
    expect(await readLpconfigEntry(document, 'auth_info_0', 'username')).toBe(hostile.username);
    expect(await readLpconfigEntry(document, 'auth_info_0', 'userid')).toBe(hostile.auth_username);
    expect(await readLpconfigEntry(document, 'auth_info_0', 'passwd')).toBe(hostile.password);
    expect(await readLpconfigEntry(document, 'auth_info_0', 'domain')).toBe(hostile.domain);
    expect(document).not.toContain('<script>');
  });

  it('quotes the SIP display name, turning embedded " and \\ into quoted-pairs', async () => {
    const document = renderLinphoneXml({ ...alice, display_name: 'Bob "The \\ Builder"' });

    expect(await readLpconfigEntry(document, 'proxy_0', 'reg_identity')).toBe(
      '"Bob \\"The \\\\ Builder\\"" <sip:1001@pbx.example.com>',
    );
    expect(document).toContain(
      '<entry name="reg_identity" overwrite="true">"Bob \\"The \\\\ Builder\\"" &lt;sip:1001@pbx.example.com&gt;</entry>',
    );
  });

  it('turns line breaks and other control characters in a display name into spaces', async () => {
    const document = renderLinphoneXml({ ...alice, display_name: 'Eve\r\nInjected:\u0007x' });

    expect(await readLpconfigEntry(document, 'proxy_0', 'reg_identity')).toBe('"Eve  Injected: x" <sip:1001@pbx.example.com>');
  });

  it('writes a bare address as the identity when there is no display name', async () => {
    const document = renderLinphoneXml({ ...alice, display_name: '' });

    expect(await readLpconfigEntry(document, 'proxy_0', 'reg_identity')).toBe('<sip:1001@pbx.example.com>');
  });

  it('puts the port and the transport into the proxy URI, since Linphone has no key for either', async () => {
    const document = renderLinphoneXml({ ...alice, port: 5061, transport: 'tls' });

    expect(await readLpconfigEntry(document, 'proxy_0', 'reg_proxy')).toBe('<sip:pbx.example.com:5061;transport=tls>');
  });

  it('with an outbound proxy, sends REGISTER and calls to it (reg_proxy and reg_route) and keeps the domain in the identity', async () => {
    const document = renderLinphoneXml({ ...alice, proxy: 'sip-edge.example.net:5070' });

    expect(await readLpconfigEntry(document, 'proxy_0', 'reg_identity')).toBe('"Alice Example" <sip:1001@pbx.example.com>');
    expect(await readLpconfigEntry(document, 'proxy_0', 'reg_proxy')).toBe('<sip:sip-edge.example.net:5070;transport=udp>');
    expect(await readLpconfigEntry(document, 'proxy_0', 'reg_route')).toBe('<sip:sip-edge.example.net:5070;transport=udp>');
    expect(await readLpconfigEntry(document, 'auth_info_0', 'domain')).toBe('pbx.example.com');
    expect(document).toContain(
      '    <entry name="reg_proxy" overwrite="true">&lt;sip:sip-edge.example.net:5070;transport=udp&gt;</entry>\n' +
        '    <entry name="reg_route" overwrite="true">&lt;sip:sip-edge.example.net:5070;transport=udp&gt;</entry>\n' +
        '    <entry name="reg_expires" overwrite="true">3600</entry>\n',
    );
    await expectValidAgainstLpconfigSchema(document);
  });

  it('writes an IPv6 proxy bracketed, and nothing of a proxy when there is none (null or absent)', async () => {
    expect(await readLpconfigEntry(renderLinphoneXml({ ...alice, proxy: '[2001:db8::5]:5060' }), 'proxy_0', 'reg_route')).toBe('<sip:[2001:db8::5]:5060;transport=udp>');
    expect(renderLinphoneXml({ ...alice, proxy: null })).toBe(renderLinphoneXml(alice));
    expect(renderLinphoneXml(alice)).not.toContain('reg_route');
  });

  it('sets the media encryption in [sip]: SRTP and DTLS-SRTP required of every call, ZRTP offered', async () => {
    const srtp = renderLinphoneXml({ ...alice, transport: 'tls', port: 5061, media_encryption: 'srtp' });
    expect(srtp).toContain(
      '  <section name="misc">\n    <entry name="transient_provisioning" overwrite="true">1</entry>\n  </section>\n' +
        '  <section name="sip">\n' +
        '    <entry name="media_encryption" overwrite="true">srtp</entry>\n' +
        '    <entry name="media_encryption_mandatory" overwrite="true">1</entry>\n' +
        '  </section>\n  <section name="proxy_0">\n',
    );
    expect(await readLpconfigEntry(srtp, 'proxy_0', 'reg_proxy')).toBe('<sip:pbx.example.com:5061;transport=tls>');
    await expectValidAgainstLpconfigSchema(srtp);

    const dtls = renderLinphoneXml({ ...alice, media_encryption: 'dtls-srtp' });
    expect(await readLpconfigEntry(dtls, 'sip', 'media_encryption')).toBe('dtls');
    expect(await readLpconfigEntry(dtls, 'sip', 'media_encryption_mandatory')).toBe('1');
    const zrtp = renderLinphoneXml({ ...alice, media_encryption: 'zrtp' });
    expect(await readLpconfigEntry(zrtp, 'sip', 'media_encryption')).toBe('zrtp');
    expect(await readLpconfigEntry(zrtp, 'sip', 'media_encryption_mandatory')).toBe('0');
  });

  it('leaves the media encryption to the phone with none (the document as before)', () => {
    expect(renderLinphoneXml({ ...alice, media_encryption: 'none' })).toBe(renderLinphoneXml(alice));
    expect(renderLinphoneXml(alice)).not.toContain('media_encryption');
  });

  it('percent-escapes a SIP username that holds characters RFC 3261 reserves, but keeps auth username raw', async () => {
    const document = renderLinphoneXml({ ...alice, username: 'jo@home', display_name: '' });

    expect(await readLpconfigEntry(document, 'proxy_0', 'reg_identity')).toBe('<sip:jo%40home@pbx.example.com>');
    expect(await readLpconfigEntry(document, 'auth_info_0', 'username')).toBe('jo@home');
  });

  it('keeps the provisioning URL and uses the given registration lifetime when asked', async () => {
    const document = renderLinphoneXml(alice, { transient: false, regExpires: 600 });

    expect(await readLpconfigEntry(document, 'misc', 'transient_provisioning')).toBe('0');
    expect(await readLpconfigEntry(document, 'proxy_0', 'reg_expires')).toBe('600');
  });

  it('refuses a registration lifetime that is not a positive whole number of seconds', async () => {
    expect(() => renderLinphoneXml(alice, { regExpires: 0 })).toThrow(RangeError);
    expect(() => renderLinphoneXml(alice, { regExpires: 1.5 })).toThrow(RangeError);
  });

  it('refuses a password holding a character XML 1.0 cannot carry, rather than emit a broken document', async () => {
    expect(() => renderLinphoneXml({ ...alice, password: 'bad\u0000secret' })).toThrow(RangeError);
  });
});
