import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestCertificates, type TestCertificates } from './support/certificates.ts';
import { startKamailio, type RunningKamailio } from './support/kamailio.ts';
import { registerWithLinphonecConfigUri, type LinphonecOutcome } from './support/linphonec.ts';
import { fetchSipCredentials, signUpOverHttp, startListeningService, type ListeningService } from './support/listening-service.ts';

/**
 * SIP_TRANSPORT=tls and MEDIA_ENCRYPTION=srtp with nothing faked: Kamailio's tls module listens with a
 * certificate this test issues from its own CA (openssl CLI), the service provisions the account through the
 * Kamailio driver, and linphonec, given only a provisioning link (and the CA to trust, as a phone has its
 * public roots), registers over TLS. A linphonec that does not trust the CA is refused the connection, so the
 * registration really is over verified TLS. (Kamailio's plain port is UDP only: nothing but TLS listens on
 * the port the phones are given.)
 */
describe('SIP over TLS: linphonec provisioned from a link registers at Kamailio over TLS', () => {
  let certificates: TestCertificates;
  let kamailio: RunningKamailio;
  let api: ListeningService;
  let baseUrl: string;

  beforeAll(async () => {
    certificates = await makeTestCertificates('127.0.0.1');
    kamailio = await startKamailio({
      passwordStorage: 'plain',
      domain: '127.0.0.1',
      tls: { certificateFile: certificates.certificateFile, privateKeyFile: certificates.privateKeyFile },
    });
    api = await startListeningService({
      PBX_DRIVER: 'kamailio',
      KAMAILIO_DATABASE_URL: kamailio.databaseUrl,
      SIP_DOMAIN: kamailio.domain,
      SIP_TRANSPORT: 'tls',
      SIP_PORT: String(kamailio.tlsPort),
      MEDIA_ENCRYPTION: 'srtp',
    });
    baseUrl = api.baseUrl;
  });

  afterAll(async () => {
    await api?.close();
    await kamailio?.stop();
    await certificates?.remove();
  });

  const newLink = async (token: string) => {
    const response = await fetch(`${baseUrl}/sip/provisioning-links`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(201);
    return ((await response.json()) as { url: string }).url;
  };
  const explain = (result: LinphonecOutcome) => (result.outcome === 'failed' ? `${result.logTail}\n--- kamailio ---\n${kamailio.logTail()}` : '');
  // The phone's own settings, not provisioned: the CA a real phone would have among its roots, and the checks
  // of the server's certificate and name (liblinphone's defaults, spelled out).
  const phoneTrusting = (caFile: string) => [`root_ca=${caFile}`, 'verify_server_certs=1', 'verify_server_cn=1'];

  it('gives TLS, its port and SRTP in the JSON and the XML, and linphonec registers over TLS', async () => {
    const user = await signUpOverHttp(baseUrl, { displayName: 'Tess L.' });
    expect(user.registration.body.provisioning_status).toBe('active');
    const credentials = (await fetchSipCredentials(baseUrl, user.token)).body;
    expect(credentials).toMatchObject({ domain: '127.0.0.1', port: kamailio.tlsPort, transport: 'tls', proxy: null, media_encryption: 'srtp' });
    const xml = await (await fetch(`${baseUrl}/sip/credentials/linphone-xml`, { headers: { authorization: `Bearer ${user.token}` } })).text();
    expect(xml).toContain(`&lt;sip:127.0.0.1:${kamailio.tlsPort};transport=tls&gt;`);
    expect(xml).toContain('<entry name="media_encryption" overwrite="true">srtp</entry>');

    const result = await registerWithLinphonecConfigUri({ configUri: await newLink(user.token), sipSettings: phoneTrusting(certificates.caFile) });
    expect(result.outcome, explain(result)).toBe('ok');
  });

  it('a linphonec that does not trust the certificate cannot register', async () => {
    const user = await signUpOverHttp(baseUrl);
    const stranger = await makeTestCertificates('127.0.0.1');
    try {
      const result = await registerWithLinphonecConfigUri({ configUri: await newLink(user.token), sipSettings: phoneTrusting(stranger.caFile), timeoutMs: 8_000 });
      expect(result.outcome).toBe('failed');
      expect(result.outcome === 'failed' && result.logTail).toContain('SSL handshake failed : X509 - Certificate verification failed');
    } finally {
      await stranger.remove();
    }
  });
});
