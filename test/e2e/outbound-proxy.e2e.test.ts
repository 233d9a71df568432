import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKamailio, type RunningKamailio } from './support/kamailio.ts';
import { registerWithLinphonecConfigUri } from './support/linphonec.ts';
import { fetchSipCredentials, signUpOverHttp, startListeningService, type ListeningService } from './support/listening-service.ts';

/**
 * SIP_PROXY, as in most real deployments: the phones' SIP domain (`voip.test`, a reserved name nothing resolves)
 * is not the registrar's address (Kamailio on 127.0.0.1). linphonec, given only a provisioning link on the
 * default settings, can register only by sending its REGISTER to the proxy address the Linphone XML names
 * (reg_proxy, reg_route), with its identity and digest realm still in the domain.
 */
describe('outbound proxy: linphonec provisioned from a link registers through SIP_PROXY', () => {
  const domain = 'voip.test';
  let kamailio: RunningKamailio;
  let api: ListeningService;
  let baseUrl: string;

  beforeAll(async () => {
    kamailio = await startKamailio({ passwordStorage: 'plain', domain });
    api = await startListeningService({
      PBX_DRIVER: 'kamailio',
      KAMAILIO_DATABASE_URL: kamailio.databaseUrl,
      SIP_DOMAIN: domain,
      SIP_PROXY: `${kamailio.host}:${kamailio.port}`,
      SIP_TRANSPORT: 'udp',
    });
    baseUrl = api.baseUrl;
  });

  afterAll(async () => {
    await api?.close();
    await kamailio?.stop();
  });

  it('gives the proxy in the JSON and the XML, and linphonec registers through it', async () => {
    const user = await signUpOverHttp(baseUrl, { displayName: 'Edge Case' });
    expect(user.registration.body.provisioning_status).toBe('active');
    const credentials = (await fetchSipCredentials(baseUrl, user.token)).body;
    expect(credentials).toMatchObject({ domain, port: 5060, transport: 'udp', proxy: `127.0.0.1:${kamailio.port}` });

    const xml = await (await fetch(`${baseUrl}/sip/credentials/linphone-xml`, { headers: { authorization: `Bearer ${user.token}` } })).text();
    expect(xml).toContain(`&lt;sip:${credentials.username}@${domain}&gt;`);
    expect(xml).toContain(`<entry name="reg_proxy" overwrite="true">&lt;sip:127.0.0.1:${kamailio.port};transport=udp&gt;</entry>`);
    expect(xml).toContain(`<entry name="reg_route" overwrite="true">&lt;sip:127.0.0.1:${kamailio.port};transport=udp&gt;</entry>`);

    const link = await fetch(`${baseUrl}/sip/provisioning-links`, { method: 'POST', headers: { authorization: `Bearer ${user.token}` } });
    expect(link.status).toBe(201);
    const result = await registerWithLinphonecConfigUri({ configUri: ((await link.json()) as { url: string }).url });
    expect(result.outcome, result.outcome === 'failed' ? `${result.logTail}\n--- kamailio ---\n${kamailio.logTail()}` : '').toBe('ok');
  });
});
