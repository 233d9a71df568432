import { describe, expect, it } from 'vitest';
import { startLinphonecSession } from './support/linphonec.ts';
import { fetchSipCredentials, signUpOverHttp } from './support/listening-service.ts';
import { expectCutOffAtKamailio } from './support/cut-off.ts';
import { serviceOnKamailioForThisFile } from './support/service-on-kamailio.ts';

/**
 * Leaving, with nothing faked: a person signs up over HTTP, a real linphonec registers at a real Kamailio
 * with the credentials the API hands out, the person deletes the account (DELETE /auth/me), and then the
 * subscriber row and the phone's registration are gone and the very same linphonec is refused.
 */
describe('DELETE /auth/me against Kamailio', () => {
  const k = serviceOnKamailioForThisFile();


  it('removes the subscriber and its registration, and the same linphonec is then refused with 403', async () => {
    const user = await signUpOverHttp(k.api.baseUrl, { displayName: 'Leaving Soon' });
    expect(user.registration.body.provisioning_status).toBe('active');
    const credentials = (await fetchSipCredentials(k.api.baseUrl, user.token)).body;
    const phone = { credentials, proxyHost: credentials.domain, proxyPort: credentials.port };

    const session = await startLinphonecSession(phone);
    try {
      expect(await k.countRows('subscriber', credentials.username)).toBe(1);
      expect(await k.countRows('location', credentials.username)).toBeGreaterThan(0);

      const answer = await fetch(`${k.api.baseUrl}/auth/me`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${user.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ password: user.password }),
      });
      expect(answer.status).toBe(202);
      expect(await answer.json()).toEqual({ status: 'deleting' });

      // The durable delete job removes the subscriber and the phone's registration: the phone is cut off.
      await expectCutOffAtKamailio(k, session, phone);
      expect((await fetchSipCredentials(k.api.baseUrl, user.token)).status).toBe(401);
    } finally {
      await session.stop();
    }
  });
});
