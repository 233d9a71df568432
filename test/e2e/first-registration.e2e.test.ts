import { beforeAll, describe, expect, it } from 'vitest';
import { startLinphonecSession } from './support/linphonec.ts';
import { fetchSipCredentials, signUpOverHttp } from './support/listening-service.ts';
import { serviceOnKamailioForThisFile } from './support/service-on-kamailio.ts';

/**
 * "First registration seen", with nothing faked: a person signs up, GET /auth/me shows the account `active`;
 * a real linphonec registers at a real Kamailio (which writes the binding to its `location` table), and the
 * service's registration watch, asking the Kamailio driver every second, turns the account `registered` with
 * the phone's User-Agent.
 */
describe('first registration seen: the account turns registered once linphonec registers at Kamailio', () => {
  const file = serviceOnKamailioForThisFile(() => ({ REGISTRATION_CHECK_INTERVAL_SECONDS: '1' }));
  // As main.ts does; the test service starts only the provisioning and mail workers.
  beforeAll(() => file.api.service.deps.registrationWatch!.start());

  const sipAccount = async (token: string) => {
    const response = await fetch(`${file.api.baseUrl}/auth/me`, { headers: { authorization: `Bearer ${token}` } });
    return ((await response.json()) as { sip_account: { status: string; registered_at: string | null; user_agent: string | null } }).sip_account;
  };

  it('shows active, then registered with when and the User-Agent linphonec registered with', async () => {
    const user = await signUpOverHttp(file.api.baseUrl, { displayName: 'First Call' });
    expect(user.registration.body.provisioning_status).toBe('active');
    // A few checks pass with no phone: the account stays active.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(await sipAccount(user.token)).toMatchObject({ status: 'active', registered_at: null, user_agent: null });

    const credentials = (await fetchSipCredentials(file.api.baseUrl, user.token)).body;
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
