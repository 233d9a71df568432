import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/db/database.ts';
import { sha256Hex } from '../src/shared/crypto.ts';
import { createScriptedPbx } from './support/pbx-doubles.ts';
import { createTestDatabase, type TestDatabase } from './support/test-database.ts';
import { createTestService, registerAndLogin, type TestService } from './support/test-service.ts';

const EVENTUALLY = { timeout: 15_000, interval: 50 };
const LINPHONE = { 'x-linphone-provisioning': '1', 'user-agent': 'Linphone/5.1.0 (belle-sip/5.1.0)' };

let database: TestDatabase;
let svc: TestService;
let pbx: ReturnType<typeof createScriptedPbx>;

beforeAll(async () => {
  database = await createTestDatabase();
  pbx = createScriptedPbx();
  svc = await createTestService({ database: database.handle, env: { PROVISION_WAIT_MS: '500' }, overrides: { driver: pbx.driver } });
});
afterAll(async () => {
  await svc?.close();
  await database?.close();
});

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const get = (url: string, token: string) => svc.app.inject({ method: 'GET', url, headers: bearer(token) });
const patchMe = (token: string | undefined, payload: unknown) =>
  svc.app.inject({ method: 'PATCH', url: '/auth/me', headers: token ? bearer(token) : {}, payload: payload as object });

async function liveUser(displayName = 'Alice') {
  const user = await registerAndLogin(svc.app, { displayName });
  await expect.poll(async () => (await get('/sip/credentials', user.token)).statusCode, EVENTUALLY).toBe(200);
  const credentials = (await get('/sip/credentials', user.token)).json<{ username: string; password: string; display_name: string }>();
  return { ...user, credentials };
}
const jobsOf = (extension: string) =>
  queryRows<{ kind: string; state: string }>(svc.deps.database.db, sql`select kind, state from provisioning_jobs where extension = ${extension} order by created_at`);

describe('PATCH /auth/me', () => {
  it('answers as GET /auth/me with the new name, which reaches the PBX and the next credentials, formats and links', async () => {
    const user = await liveUser();
    expect(user.credentials.display_name).toBe('Alice');
    const extension = user.credentials.username;

    const answer = await patchMe(user.token, { display_name: '  Alice Cooper ' });
    expect(answer.statusCode).toBe(200);
    expect(answer.headers['cache-control']).toBe('no-store');
    // The shape of GET /auth/me, field for field (but what the update job in flight moves: when the account
    // went live, and the attempts of the latest job, which the worker may have claimed in between).
    const me = (await get('/auth/me', user.token)).json();
    const settled = (body: { sip_account: object }) => ({ ...body, sip_account: { ...body.sip_account, activated_at: null, provisioning_attempts: null } });
    expect(settled(answer.json())).toEqual(settled(me));
    expect(answer.json()).toMatchObject({ display_name: 'Alice Cooper', sip_account: { extension, status: 'active' } });

    await expect.poll(() => pbx.names.get(extension), EVENTUALLY).toBe('Alice Cooper');
    await expect.poll(async () => (await jobsOf(extension)).map((job) => `${job.kind}:${job.state}`), EVENTUALLY).toEqual(['create:done', 'update:done']);
    // The PBX kept the secret the API hands out.
    expect(pbx.live.get(extension)).toBe(user.credentials.password);
    const credentials = (await get('/sip/credentials', user.token)).json();
    expect(credentials).toMatchObject({ display_name: 'Alice Cooper', password: user.credentials.password });
    expect((await get('/sip/credentials/linphone-xml', user.token)).body).toContain('Alice Cooper');
    const link = (await svc.app.inject({ method: 'POST', url: '/sip/provisioning-links', headers: bearer(user.token) })).json<{ url: string }>();
    expect((await svc.app.inject({ method: 'GET', url: new URL(link.url).pathname, headers: LINPHONE })).body).toContain('Alice Cooper');
  });

  it('queues nothing when the name is the same or not given, and accepts a supported locale', async () => {
    const user = await liveUser('Bob');
    expect((await patchMe(user.token, { display_name: 'Bob' })).json()).toMatchObject({ display_name: 'Bob' });
    expect((await patchMe(user.token, {})).statusCode).toBe(200);
    expect((await patchMe(user.token, { locale: 'es' })).statusCode).toBe(200);
    expect((await jobsOf(user.credentials.username)).map((job) => job.kind)).toEqual(['create']);
  });

  it('refuses an invalid name or locale, unknown fields and a missing token', async () => {
    const user = await liveUser();
    for (const payload of [{ display_name: '' }, { display_name: 'bell\u0007' }, { display_name: 'x'.repeat(101) }, { locale: 'fr' }, { display_name: false }, { nickname: 'x' }]) {
      const refused = await patchMe(user.token, payload);
      expect([JSON.stringify(payload), refused.statusCode, refused.json().code]).toEqual([JSON.stringify(payload), 422, 'validation_failed']);
    }
    const anonymous = await patchMe(undefined, { display_name: 'Mallory' });
    expect([anonymous.statusCode, anonymous.json().code]).toEqual([401, 'not_authenticated']);
  });

  it('does not hold up a secret rotation started while the new name is being pushed', async () => {
    const user = await liveUser('Carol');
    const extension = user.credentials.username;
    const release = pbx.hold();
    let rotation;
    try {
      expect((await patchMe(user.token, { display_name: 'Carol King' })).statusCode).toBe(200);
      // The name's update job is on its way to the PBX; the rotation must push its own secret.
      rotation = await svc.app.inject({ method: 'POST', url: '/sip/credentials/rotate', headers: bearer(user.token) });
    } finally {
      release();
    }
    expect(rotation.json()).toMatchObject({ status: 'pending', secret_version: 2 });
    await expect.poll(async () => (await get('/sip/credentials/rotation', user.token)).json().status, EVENTUALLY).toBe('active');
    const credentials = (await get('/sip/credentials', user.token)).json<{ password: string; display_name: string }>();
    expect(credentials.password).not.toBe(user.credentials.password);
    expect(pbx.live.get(extension)).toBe(credentials.password);
    expect(credentials.display_name).toBe('Carol King');
    expect(pbx.names.get(extension)).toBe('Carol King');
  });
});

describe('GET /auth/me/export', () => {
  it('answers a JSON attachment of everything held about the user, with no hash, secret or token in it', async () => {
    const user = await liveUser('Dora');
    const link = (await svc.app.inject({ method: 'POST', url: '/sip/provisioning-links', headers: bearer(user.token) })).json<{ url: string }>();
    const linkToken = link.url.split('/').pop()!;

    await svc.deps.credentialAccess.flush();
    const answer = await get('/auth/me/export', user.token);
    expect(answer.statusCode).toBe(200);
    expect(answer.headers['content-disposition']).toBe('attachment; filename="account-export.json"');
    expect(answer.headers['content-type']).toMatch(/^application\/json/);
    expect(answer.headers['cache-control']).toBe('no-store');
    const body = answer.json();
    expect(body).toMatchObject({
      profile: { email: user.email, display_name: 'Dora', is_active: true },
      sip_account: { extension: user.credentials.username, status: 'active', secret_version: 1, rotation_pending: false, last_error: null },
      // The test's own link, then the welcome mail's (made when the account went live).
      provisioning_links: [{ mode: 'once', used_at: null }, { mode: 'once', used_at: null }],
      provisioning_jobs: [{ kind: 'create', state: 'done', attempts: 1 }],
      sessions: [{ ended_at: null, end_reason: null, user_agent: 'lightMyRequest' }],
      credential_access_log: [{ channel: 'json', user_agent: 'lightMyRequest' }],
    });
    expect(body.profile).toMatchObject({ email_verified_at: null, locale: 'en' });
    expect(Date.parse(body.exported_at)).toBeGreaterThan(Date.now() - 60_000);

    const [stored] = await queryRows<{ password_hash: string; secret_ciphertext: string }>(svc.deps.database.db, sql`
      select u.password_hash, a.secret_ciphertext from users u join sip_accounts a on a.user_id = u.id where lower(u.email) = lower(${user.email})`);
    for (const secret of [user.password, stored!.password_hash, '$argon2', stored!.secret_ciphertext, user.credentials.password, linkToken, sha256Hex(linkToken), user.token, user.refreshToken]) {
      expect(answer.body).not.toContain(secret);
    }
  });

  it('wants a valid token', async () => {
    const anonymous = await svc.app.inject({ method: 'GET', url: '/auth/me/export' });
    expect([anonymous.statusCode, anonymous.json().code]).toEqual([401, 'not_authenticated']);
    expect((await get('/auth/me/export', 'not.a.token')).statusCode).toBe(401);
  });
});
