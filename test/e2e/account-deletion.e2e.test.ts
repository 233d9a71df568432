import { describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { startLinphonecSession } from './support/linphonec.ts';
import { fetchSipCredentials, signUpOverHttp } from './support/listening-service.ts';
import { serviceOnKamailioForThisFile } from './support/service-on-kamailio.ts';
import { sipRegister } from './support/raw-sip.ts';

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

      // The delete job is durable and asynchronous: wait until it has run.
      for (let i = 0; i < 100 && (await k.countRows('subscriber', credentials.username)) > 0; i++) await sleep(100);
      expect(await k.countRows('subscriber', credentials.username)).toBe(0);
      expect(await k.countRows('location', credentials.username)).toBe(0);

      const again = await session.registerAgain(phone);
      expect(again.outcome).toBe('failed');
      expect(again.outcome === 'failed' && again.logTail, k.kamailio.logTail()).toContain('[403]');
      // And any other client with the same credentials.
      expect(
        await sipRegister({ host: credentials.domain, port: credentials.port, domain: credentials.domain, username: credentials.username, authUsername: credentials.auth_username, password: credentials.password }),
      ).toBe(403);
      expect((await fetchSipCredentials(k.api.baseUrl, user.token)).status).toBe(401);
    } finally {
      await session.stop();
    }
  });
});
