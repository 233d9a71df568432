import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SipCredentials } from '../../src/modules/sip-accounts/sip-credentials.ts';
import { startKamailio, type RunningKamailio } from './support/kamailio.ts';
import { registerWithLinphonecConfigUri, type LinphonecOutcome } from './support/linphonec.ts';
import { fetchSipCredentials, signUpOverHttp, startListeningService, type ListeningService } from './support/listening-service.ts';
import { sipRegister } from './support/raw-sip.ts';

/**
 * Remote provisioning with nothing faked: linphonec is given only `[misc] config-uri=<link>`, fetches the
 * Linphone XML from the listening service and registers at a real Kamailio that the service provisions
 * through its Kamailio driver. Then: the link is used up, and a rotation makes Kamailio refuse the old
 * secret while a fresh link registers again.
 */
describe('provisioning link: linphonec with only config-uri registers at Kamailio', () => {
  let kamailio: RunningKamailio;
  let listening: ListeningService;
  let baseUrl: string;

  beforeAll(async () => {
    kamailio = await startKamailio({ passwordStorage: 'plain', domain: '127.0.0.1' });
    listening = await startListeningService({
      PBX_DRIVER: 'kamailio',
      KAMAILIO_DATABASE_URL: kamailio.databaseUrl,
      SIP_DOMAIN: kamailio.domain,
      SIP_PORT: String(kamailio.port),
      SIP_TRANSPORT: 'udp',
      // The default settings: linphonec 5.1 (Debian) predates X-Linphone-Provisioning, and its fetch is known by
      // its User-Agent (`Unknown`, liblinphone 5.1's default) and the missing Accept header.
    });
    baseUrl = listening.baseUrl;
  });

  afterAll(async () => {
    await listening?.close();
    await kamailio?.stop();
  });

  const api = async (path: string, token: string, method = 'GET') => {
    const response = await fetch(`${baseUrl}${path}`, { method, headers: { authorization: `Bearer ${token}` } });
    return { status: response.status, body: await response.json() };
  };
  const newLink = async (token: string): Promise<string> => {
    const link = await api('/sip/provisioning-links', token, 'POST');
    expect(link.status).toBe(201);
    return link.body.url;
  };
  const linphoneFetchStatus = async (url: string) => (await fetch(url, { headers: { 'X-Linphone-Provisioning': '1' } })).status;
  const rawRegister = (credentials: SipCredentials, password: string) =>
    sipRegister({ host: kamailio.host, port: kamailio.port, domain: credentials.domain, username: credentials.username, password });
  const explain = (result: LinphonecOutcome) => (result.outcome === 'failed' ? `${result.logTail}\n--- kamailio ---\n${kamailio.logTail()}` : '');

  it('registers from the link, refuses the link again, and after a rotation only the new secret and a fresh link work', async () => {
    const user = await signUpOverHttp(baseUrl, { displayName: 'Grace <Hopper> & Co' });
    expect(user.registration.body.provisioning_status).toBe('active');
    const before = (await fetchSipCredentials(baseUrl, user.token)).body;

    const url = await newLink(user.token);
    expect(url.startsWith(`${baseUrl}/provisioning/`)).toBe(true);
    // A mail scanner or browser opening the link first gets a page and does not burn it.
    const preview = await fetch(url, { headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8', 'user-agent': 'Mozilla/5.0' } });
    expect(preview.status).toBe(200);
    expect(await preview.text()).toContain('Fetch remote configuration');
    const first = await registerWithLinphonecConfigUri({ configUri: url });
    expect(first.outcome, explain(first)).toBe('ok');

    // Used up by linphonec's fetch: refused to Linphone, and a second linphonec gets no account from it.
    expect(await linphoneFetchStatus(url)).toBe(404);
    const again = await registerWithLinphonecConfigUri({ configUri: url, timeoutMs: 6_000 });
    expect(again.outcome).toBe('failed');

    const unusedOldLink = await newLink(user.token);
    const rotation = await api('/sip/credentials/rotate', user.token, 'POST');
    expect(rotation).toEqual({ status: 200, body: { status: 'active', extension: before.username, secret_version: 2 } });
    const after = (await fetchSipCredentials(baseUrl, user.token)).body;
    expect(after.password).not.toBe(before.password);
    expect(await rawRegister(before, before.password)).toBe(403);
    expect(await rawRegister(after, after.password)).toBe(200);
    expect(await linphoneFetchStatus(unusedOldLink)).toBe(404);

    const fresh = await registerWithLinphonecConfigUri({ configUri: await newLink(user.token) });
    expect(fresh.outcome, explain(fresh)).toBe('ok');
  });
});
