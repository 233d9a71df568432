import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKamailio, type RunningKamailio } from './support/kamailio.ts';
import { startLinphonecSession } from './support/linphonec.ts';
import { fetchSipCredentials, signUpOverHttp, startListeningService, type ListeningService } from './support/listening-service.ts';

/**
 * "First registration seen", with nothing faked: a person signs up, GET /auth/me shows the account `active`;
 * a real linphonec registers at a real Kamailio (which writes the binding to its `location` table), and the
 * service's registration watch, asking the Kamailio driver every second, turns the account `registered` with
 * the phone's User-Agent.
 */
describe('first registration seen: the account turns registered once linphonec registers at Kamailio', () => {
  let kamailio: RunningKamailio;
  let api: ListeningService;

  beforeAll(async () => {
    kamailio = await startKamailio({ passwordStorage: 'plain', domain: '127.0.0.1' });
    api = await startListeningService({
      PBX_DRIVER: 'kamailio',
      KAMAILIO_DATABASE_URL: kamailio.databaseUrl,
      SIP_DOMAIN: kamailio.domain,
      SIP_PORT: String(kamailio.port),
      SIP_TRANSPORT: 'udp',
      REGISTRATION_CHECK_INTERVAL_SECONDS: '1',
    });
    // As main.ts does; the test service starts only the provisioning and mail workers.
    api.service.deps.registrationWatch!.start();
  });

  afterAll(async () => {
    await api?.close();
    await kamailio?.stop();
  });

  const sipAccount = async (token: string) => {
    const response = await fetch(`${api.baseUrl}/auth/me`, { headers: { authorization: `Bearer ${token}` } });
    return ((await response.json()) as { sip_account: { status: string; registered_at: string | null; user_agent: string | null } }).sip_account;
  };

  it('shows active, then registered with when and the User-Agent linphonec registered with', async () => {
    const user = await signUpOverHttp(api.baseUrl, { displayName: 'First Call' });
    expect(user.registration.body.provisioning_status).toBe('active');
    // A few checks pass with no phone: the account stays active.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(await sipAccount(user.token)).toMatchObject({ status: 'active', registered_at: null, user_agent: null });

    const credentials = (await fetchSipCredentials(api.baseUrl, user.token)).body;
    const registeredFrom = Date.now();
    const session = await startLinphonecSession({ credentials, proxyHost: credentials.domain, proxyPort: credentials.port });
    try {
      await expect.poll(async () => (await sipAccount(user.token)).status, { timeout: 10_000, interval: 250 }).toBe('registered');
      const account = await sipAccount(user.token);
      expect(account.user_agent).toMatch(/^Linphonec\/5\.\d/);
      expect(Date.parse(account.registered_at!)).toBeGreaterThanOrEqual(registeredFrom - 1_000);
    } finally {
      await session.stop();
    }
    // The first registration stays recorded after the phone unregistered.
    expect((await sipAccount(user.token)).status).toBe('registered');
  });
});
