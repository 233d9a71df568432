import { describe, expect, it } from 'vitest';
import { registerAndLogin, serviceForThisFile, type TestService } from './support/test-service.ts';
import { LPCONFIG_SCHEMA_PATH, runXmllint } from './support/xmllint.ts';

// A real deployment's shape: phones' identities in the domain, an outbound proxy in front of the registrar,
// SIP over TLS on its default port (SIP_PORT unset), and SDES-SRTP for the media.
const file = serviceForThisFile({
  env: {
    SIP_DOMAIN: 'voip.example.com',
    SIP_TRANSPORT: 'tls',
    SIP_PROXY: 'sip-edge.example.net',
    MEDIA_ENCRYPTION: 'srtp',
    ACROBITS_CLOUD_ID: 'ACME42',
    PROVISIONING_RATE_LIMIT_PER_MINUTE: '100000',
  },
});

const get = (svc: TestService, url: string, headers: Record<string, string> = {}) => svc.app.inject({ method: 'GET', url, headers });

async function newUser() {
  const { token, register } = await registerAndLogin(file.service.app, { displayName: 'Ada' });
  const bearer = { authorization: `Bearer ${token}` };
  const credentials = (await get(file.service, '/sip/credentials', bearer)).json();
  return { bearer, extension: register.json<{ sip_extension: string }>().sip_extension, password: credentials.password as string, credentials };
}

describe('SIP_PROXY, SIP_TRANSPORT=tls and MEDIA_ENCRYPTION=srtp in every format', () => {
  it('GET /sip/credentials: the seven fields as before, TLS on 5061, the proxy on the same port, the media encryption', async () => {
    const { extension, password, credentials } = await newUser();
    expect(credentials).toEqual({
      username: extension,
      password,
      domain: 'voip.example.com',
      port: 5061,
      transport: 'tls',
      display_name: 'Ada',
      auth_username: extension,
      proxy: 'sip-edge.example.net:5061',
      media_encryption: 'srtp',
    });
  });

  it('the Linphone XML, from the API and from a link: proxy, route, TLS and mandatory SRTP', async () => {
    const { bearer, extension, password } = await newUser();
    const expected = `<?xml version="1.0" encoding="UTF-8"?>
<config xmlns="http://www.linphone.org/xsds/lpconfig.xsd">
  <section name="misc">
    <entry name="transient_provisioning" overwrite="true">1</entry>
  </section>
  <section name="sip">
    <entry name="media_encryption" overwrite="true">srtp</entry>
    <entry name="media_encryption_mandatory" overwrite="true">1</entry>
  </section>
  <section name="proxy_0">
    <entry name="reg_identity" overwrite="true">"Ada" &lt;sip:${extension}@voip.example.com&gt;</entry>
    <entry name="reg_proxy" overwrite="true">&lt;sip:sip-edge.example.net:5061;transport=tls&gt;</entry>
    <entry name="reg_route" overwrite="true">&lt;sip:sip-edge.example.net:5061;transport=tls&gt;</entry>
    <entry name="reg_expires" overwrite="true">3600</entry>
    <entry name="reg_sendregister" overwrite="true">1</entry>
  </section>
  <section name="auth_info_0">
    <entry name="username" overwrite="true">${extension}</entry>
    <entry name="userid" overwrite="true">${extension}</entry>
    <entry name="passwd" overwrite="true">${password}</entry>
    <entry name="domain" overwrite="true">voip.example.com</entry>
  </section>
</config>
`;
    const fromApi = await get(file.service, '/sip/credentials/linphone-xml', bearer);
    const link = await file.service.app.inject({ method: 'POST', url: '/sip/provisioning-links', headers: bearer });
    const fetched = await get(file.service, new URL(link.json<{ url: string }>().url).pathname, { 'user-agent': 'Unknown' });
    expect(fetched.headers['content-type']).toBe('application/xml; charset=utf-8');
    expect(fromApi.body).toBe(expected);
    expect(fetched.body).toBe(expected);
    expect((await runXmllint(['--noout', '--schema', LPCONFIG_SCHEMA_PATH], fetched.body)).status).toBe(0);
  });

  it('SessionTalk: TLS and srtp "Enabled"; sip-uri: the TLS address of record; Acrobits: the credentials only', async () => {
    const { bearer, extension, password } = await newUser();
    expect((await get(file.service, '/sip/credentials/sessiontalk', bearer)).body).toBe(
      `scloc:{"sipaccounts":[{"sipusername":"${extension}","sippassword":"${password}","subdomain":"voip.example.com",` +
        `"authusername":"${extension}","transport":"TLS","srtp":"Enabled"}]}`,
    );
    expect((await get(file.service, '/sip/credentials/sip-uri', bearer)).body).toBe(`sip:${extension}@voip.example.com;transport=tls`);
    expect((await get(file.service, '/sip/credentials/acrobits', bearer)).body).toBe(`csc:${extension}:${password}@ACME42`);
  });
});
