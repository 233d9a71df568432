import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createAdminRolesRepository } from '../src/modules/admin/admin-roles.repository.ts';
import { adminRequest, grantedAdmin, markVerified } from './support/admin-users.ts';
import { registerAndLogin, serviceForThisFile, uniqueEmail } from './support/test-service.ts';

const LISTED = uniqueEmail('listed-admin');
const file = serviceForThisFile({ env: { ADMIN_EMAILS: ` other@example.com , ${LISTED.toUpperCase()} ` } });
const roles = () => createAdminRolesRepository({ db: file.service.deps.database.db });
/**
 * Grants and revocations here are written straight to the database, as the CLI (another process) does: the
 * service hears of them through NOTIFY admin_role_changed, at once on PGlite and within milliseconds on PostgreSQL.
 */
const NOTICE = { timeout: 2_000, interval: 10 };
const status = (token: string, url = '/admin/stats') => adminRequest(file.service.app, token, 'GET', url).then((answer) => answer.statusCode);

const ROUTES = (id: string) => [
  ['GET', '/admin/users'],
  ['GET', `/admin/users/${id}`],
  ['POST', `/admin/users/${id}/disable`],
  ['POST', `/admin/users/${id}/enable`],
  ['POST', `/admin/users/${id}/reprovision`],
  ['POST', `/admin/users/${id}/rotate-secret`],
  ['DELETE', `/admin/users/${id}`],
  ['GET', '/admin/audit-log'],
  ['GET', '/admin/stats'],
] as const;

describe('who may use the /admin routes', () => {
  it('answers 401 not_authenticated without a valid bearer token, on every /admin route', async () => {
    const { app } = file.service;
    for (const [method, url] of ROUTES(randomUUID())) {
      const plain = await app.inject({ method, url });
      expect([url, plain.statusCode, plain.json().code]).toEqual([url, 401, 'not_authenticated']);
      const forged = await adminRequest(app, 'not.a.token', method, url);
      expect([url, forged.statusCode]).toEqual([url, 401]);
    }
  });

  it('answers 403 admin_required to a user who is not an admin, on every /admin route, and changes nothing', async () => {
    const { app } = file.service;
    const user = await registerAndLogin(app);
    const victim = await registerAndLogin(app);
    const victimId = victim.register.json<{ id: string }>().id;
    for (const [method, url] of ROUTES(victimId)) {
      const refused = await adminRequest(app, user.token, method, url);
      expect([url, refused.statusCode, refused.json().code]).toEqual([url, 403, 'admin_required']);
      expect(refused.headers['content-type']).toContain('application/problem+json');
    }
    const login = await app.inject({ method: 'POST', url: '/auth/login', payload: { email: victim.email, password: victim.password } });
    expect(login.statusCode).toBe(200);
  });

  it('makes a user in ADMIN_EMAILS an admin once their email is verified (case-insensitive), not before', async () => {
    const { app } = file.service;
    const listed = await registerAndLogin(app, { email: LISTED });
    expect((await adminRequest(app, listed.token, 'GET', '/admin/stats')).statusCode).toBe(403);
    await markVerified(file.service, LISTED);
    await expect.poll(() => status(listed.token), NOTICE).toBe(200);
  });

  it('refuses a revoked admin within milliseconds, even one listed in ADMIN_EMAILS, and a new grant lets them in again', async () => {
    const granted = await grantedAdmin(file.service);
    expect(await status(granted.token, '/admin/users')).toBe(200);
    await roles().revokeAdmin(granted.email);
    await expect.poll(() => status(granted.token, '/admin/users'), NOTICE).toBe(403);
    const refused = await adminRequest(file.service.app, granted.token, 'GET', '/admin/users');
    expect(refused.json().code).toBe('admin_required');
    await roles().grantAdmin(granted.email);
    await expect.poll(() => status(granted.token, '/admin/users'), NOTICE).toBe(200);

    const listed = await file.service.app.inject({ method: 'POST', url: '/auth/login', payload: { email: LISTED, password: 'a long and unusual passphrase 42' } });
    const token = listed.json<{ access_token: string }>().access_token;
    expect(await status(token)).toBe(200);
    await roles().revokeAdmin(LISTED);
    await expect.poll(() => status(token), NOTICE).toBe(403);
  });

  it('answers grant and revoke of an unknown email with no user, and 404 user_not_found for an unknown id', async () => {
    expect(await roles().grantAdmin(uniqueEmail('nobody'))).toBeUndefined();
    expect(await roles().revokeAdmin(uniqueEmail('nobody'))).toBeUndefined();
    const admin = await grantedAdmin(file.service);
    for (const [method, url] of ROUTES(randomUUID()).filter(([, url]) => url.includes('/users/'))) {
      const missing = await adminRequest(file.service.app, admin.token, method, url);
      expect([url, missing.statusCode, missing.json().code]).toEqual([url, 404, 'user_not_found']);
    }
  });
});
