import { describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { createAdminRolesRepository } from '../../src/modules/admin/admin-roles.repository.ts';
import { startLinphonecSession } from './support/linphonec.ts';
import { fetchSipCredentials, signUpOverHttp } from './support/listening-service.ts';
import { serviceOnKamailioForThisFile } from './support/service-on-kamailio.ts';

/**
 * An admin cuts a person off, with nothing faked: a real linphonec registered at a real Kamailio with the
 * credentials the API handed out is refused once an admin disables the user (POST /admin/users/{id}/disable),
 * and after POST /admin/users/{id}/enable the new secret the API hands out registers again.
 */
describe('disabling and enabling a user against Kamailio', () => {
  const k = serviceOnKamailioForThisFile();

  const asAdmin = (token: string, path: string) => fetch(`${k.api.baseUrl}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
  const login = async (email: string, password: string) =>
    fetch(`${k.api.baseUrl}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });

  it('refuses the registered phone after disable, and registers the new secret after enable', async () => {
    const admin = await signUpOverHttp(k.api.baseUrl, { displayName: 'Operator' });
    await createAdminRolesRepository({ db: k.api.service.deps.database.db }).grantAdmin(admin.email);
    const user = await signUpOverHttp(k.api.baseUrl, { displayName: 'Leaving The Company' });
    expect(user.registration.body.provisioning_status).toBe('active');
    const userId = (user.registration.body as unknown as { id: string }).id;
    const credentials = (await fetchSipCredentials(k.api.baseUrl, user.token)).body;
    const phone = { credentials, proxyHost: credentials.domain, proxyPort: credentials.port };

    const session = await startLinphonecSession(phone);
    try {
      expect(await k.countRows('location', credentials.username)).toBeGreaterThan(0);
      expect((await asAdmin(admin.token, `/admin/users/${userId}/disable`)).status).toBe(202);
      // The delete job is durable and asynchronous: wait until it has run.
      const gone = async () => (await k.countRows('subscriber', credentials.username)) + (await k.countRows('location', credentials.username));
      for (let i = 0; i < 150 && (await gone()) > 0; i++) await sleep(100);
      expect(await k.countRows('subscriber', credentials.username)).toBe(0);
      expect(await k.countRows('location', credentials.username)).toBe(0);
      const refused = await session.registerAgain(phone);
      expect(refused.outcome).toBe('failed');
      expect(refused.outcome === 'failed' && refused.logTail, k.kamailio.logTail()).toContain('[403]');
      expect((await login(user.email, user.password)).status).toBe(403);

      expect((await asAdmin(admin.token, `/admin/users/${userId}/enable`)).status).toBe(202);
      const again = (await (await login(user.email, user.password)).json()) as { access_token: string };
      let fresh = await fetchSipCredentials(k.api.baseUrl, again.access_token);
      for (let i = 0; i < 100 && fresh.status !== 200; i++) {
        await sleep(100);
        fresh = await fetchSipCredentials(k.api.baseUrl, again.access_token);
      }
      expect(fresh.status).toBe(200);
      expect(fresh.body.username).toBe(credentials.username);
      expect(fresh.body.password).not.toBe(credentials.password);
      // A phone set up anew with the new secret (as the user would, from the new credentials) registers.
      const renewed = await startLinphonecSession({ ...phone, credentials: fresh.body });
      await renewed.stop();
      expect(await k.countRows('subscriber', credentials.username)).toBe(1);
    } finally {
      await session.stop();
    }
  });
});
