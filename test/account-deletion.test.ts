import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/db/database.ts';
import { mailsTo } from './support/outbox.ts';
import { applyFails, createScriptedPbx, pbxDown } from './support/pbx-doubles.ts';
import { createTestDatabase, type TestDatabase } from './support/test-database.ts';
import { createTestService, registerAndLogin, type TestService } from './support/test-service.ts';

/** The machine may be busy: a poll waits this long before a test fails. */
const EVENTUALLY = { timeout: 15_000, interval: 50 };
// A create gets 2 attempts here; a delete must outlast them.
const WORKER = { pollIntervalMs: 50, backoff: { baseMs: 20, maxMs: 100 }, maxAttempts: 2 };
/** Tests that open a database and start services of their own take longer on a loaded machine. */
const SLOW = 90_000;
const LINPHONE = { 'x-linphone-provisioning': '1', 'user-agent': 'Linphone/5.1.0 (belle-sip/5.1.0)' };

// One database per service: a worker claims any due job, so two services on one database would run each other's.
const databases: TestDatabase[] = [];
/** A PBX that is live at once (like Kamailio). */
let direct: TestService;
let directPbx: ReturnType<typeof createScriptedPbx>;
/** A PBX whose changes are live only after a coalesced apply (like FreePBX). */
let applying: TestService;
let applyingPbx: ReturnType<typeof createScriptedPbx>;

beforeAll(async () => {
  databases.push(await createTestDatabase(), await createTestDatabase());
  directPbx = createScriptedPbx();
  applyingPbx = createScriptedPbx({ needsApply: true });
  direct = await createTestService({ database: databases[0]!.handle, overrides: { driver: directPbx.driver, workerOptions: WORKER } });
  applying = await createTestService({ database: databases[1]!.handle, env: { PROVISION_WAIT_MS: '1000' }, overrides: { driver: applyingPbx.driver } });
});
afterAll(async () => {
  await applying?.close();
  await direct?.close();
  await Promise.all(databases.map((database) => database.close()));
});

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const get = (svc: TestService, url: string, token: string) => svc.app.inject({ method: 'GET', url, headers: bearer(token) });
const deleteMe = (svc: TestService, token: string, payload: unknown) => svc.app.inject({ method: 'DELETE', url: '/auth/me', headers: bearer(token), payload: payload as object });

async function liveUser(svc: TestService) {
  const user = await registerAndLogin(svc.app);
  await expect.poll(async () => (await get(svc, '/sip/credentials', user.token)).statusCode, EVENTUALLY).toBe(200);
  const credentials = (await get(svc, '/sip/credentials', user.token)).json<{ username: string; password: string }>();
  return { ...user, id: user.register.json<{ id: string }>().id, credentials };
}

const rows = <T>(svc: TestService, query: ReturnType<typeof sql>) => queryRows<T>(svc.deps.database.db, query);
const userCount = async (svc: TestService, id: string) => (await rows<{ n: number }>(svc, sql`select count(*)::int as n from users where id = ${id}`))[0]!.n;
const deleteJob = async (svc: TestService, extension: string) =>
  (await rows<{ state: string; attempts: number; sip_account_id: string | null }>(svc, sql`
    select state, attempts, sip_account_id from provisioning_jobs where extension = ${extension} and kind = 'delete'`))[0];

describe('DELETE /auth/me', () => {
  it('answers 202 deleting, and from then on refuses the login, every token, the credentials and the provisioning links', async () => {
    const user = await liveUser(direct);
    const link = (await direct.app.inject({ method: 'POST', url: '/sip/provisioning-links', headers: bearer(user.token) })).json<{ url: string }>();
    const linkPath = new URL(link.url).pathname;
    const release = directPbx.hold(); // the removal waits: everything below happens while it is under way
    try {

      const answer = await deleteMe(direct, user.token, { password: user.password });
      expect(answer.statusCode).toBe(202);
      expect(answer.json()).toEqual({ status: 'deleting' });
      expect(answer.headers['cache-control']).toBe('no-store');

      const login = await direct.app.inject({ method: 'POST', url: '/auth/login', payload: { email: user.email, password: user.password } });
      expect([login.statusCode, login.json().code]).toEqual([401, 'invalid_credentials']);
      for (const url of ['/auth/me', '/sip/credentials', '/sip/credentials/sip-uri', '/sip/credentials/sip-uri/qr.png', '/auth/me/export']) {
        const refused = await get(direct, url, user.token);
        expect([url, refused.statusCode, refused.json().code]).toEqual([url, 401, 'not_authenticated']);
      }
      const patch = await direct.app.inject({ method: 'PATCH', url: '/auth/me', headers: bearer(user.token), payload: { display_name: 'Still here?' } });
      expect([patch.statusCode, patch.json().code]).toEqual([401, 'not_authenticated']);
      expect((await deleteMe(direct, user.token, { password: user.password })).statusCode).toBe(401);
      // Every session ended with the deletion: the routes that read only the account refuse the token too,
      // and the refresh token is dead.
      expect((await direct.app.inject({ method: 'POST', url: '/sip/provisioning-links', headers: bearer(user.token) })).statusCode).toBe(401);
      expect((await direct.app.inject({ method: 'POST', url: '/sip/credentials/rotate', headers: bearer(user.token) })).statusCode).toBe(401);
      const refreshed = await direct.app.inject({ method: 'POST', url: '/auth/refresh', payload: { refresh_token: user.refreshToken } });
      expect([refreshed.statusCode, refreshed.json().code]).toEqual([401, 'invalid_refresh_token']);
      expect(await rows(direct, sql`select revoke_reason from sessions where user_id = ${user.id}`)).toEqual([{ revoke_reason: 'account_deleted' }]);
      const fetched = await direct.app.inject({ method: 'GET', url: linkPath, headers: LINPHONE });
      expect([fetched.statusCode, fetched.json().code]).toEqual([404, 'provisioning_link_invalid']);
      expect(await rows(direct, sql`select status from sip_accounts where user_id = ${user.id}`)).toEqual([{ status: 'deleting' }]);
      expect(directPbx.live.get(user.credentials.username)).toBe(user.credentials.password);

    } finally {
      release();
    }
    await expect.poll(() => userCount(direct, user.id), EVENTUALLY).toBe(0);
  });

  it('then removes the extension from the PBX and erases the user, keeping the job anonymous and the number back', async () => {
    const user = await liveUser(direct);
    const extension = user.credentials.username;
    expect((await deleteMe(direct, user.token, { password: user.password })).statusCode).toBe(202);

    await expect.poll(() => userCount(direct, user.id), EVENTUALLY).toBe(0);
    expect(directPbx.live.has(extension)).toBe(false);
    expect(directPbx.calls.filter((call) => call.extension === extension).map((call) => call.method)).toEqual(['create', 'delete']);
    expect(await rows(direct, sql`select count(*)::int as n from sip_accounts where extension = ${extension}`)).toEqual([{ n: 0 }]);
    expect(await deleteJob(direct, extension)).toMatchObject({ state: 'done', sip_account_id: null });
    const [reserved] = await rows<{ days: number }>(direct, sql`
      select extract(epoch from reusable_after - now()) / 86400 as days from reserved_extensions where extension = ${extension}`);
    expect(Number(reserved!.days)).toBeGreaterThan(29.9);
    expect(Number(reserved!.days)).toBeLessThanOrEqual(30);
  });

  it('sends the confirmation mail to the address it had, with no secret in it nor in any log line', async () => {
    const user = await liveUser(direct);
    expect((await deleteMe(direct, user.token, { password: user.password })).statusCode).toBe(202);
    await expect.poll(() => userCount(direct, user.id), EVENTUALLY).toBe(0);

    const [mail] = await mailsTo(direct.deps.config.mail.outboxDir, user.email, /being deleted/);
    expect(mail!.subject).toBe('Your VoIP onboarding account is being deleted');
    expect(mail!.text).toContain('your phone line stops working');
    for (const secret of [user.password, user.credentials.password, user.token, user.refreshToken]) {
      expect(mail!.raw).not.toContain(secret);
      expect(direct.logs.text).not.toContain(secret);
    }
  });

  it('refuses a wrong password with 401 invalid_credentials and changes nothing; wants a body and a token', async () => {
    const user = await liveUser(direct);
    const wrong = await deleteMe(direct, user.token, { password: 'not the password at all' });
    expect([wrong.statusCode, wrong.json().code]).toEqual([401, 'invalid_credentials']);
    expect((await deleteMe(direct, user.token, {})).json()).toMatchObject({ status: 422, code: 'validation_failed' });
    expect((await deleteMe(direct, user.token, { password: user.password, extra: 1 })).statusCode).toBe(422);
    const anonymous = await direct.app.inject({ method: 'DELETE', url: '/auth/me', payload: { password: user.password } });
    expect([anonymous.statusCode, anonymous.json().code]).toEqual([401, 'not_authenticated']);

    expect((await get(direct, '/sip/credentials', user.token)).statusCode).toBe(200);
    expect(await rows(direct, sql`select deletion_requested_at from users where id = ${user.id}`)).toEqual([{ deletion_requested_at: null }]);
  });

  it('counts wrong passwords like failed logins: past the limit, 429 login_throttled', async () => {
    const user = await liveUser(direct);
    // LOGIN_FAILURES_BEFORE_DELAY (5) in a row from one address, then each next attempt waits.
    for (let i = 0; i < 5; i++) expect((await deleteMe(direct, user.token, { password: `wrong ${i}` })).statusCode).toBe(401);
    const throttled = await deleteMe(direct, user.token, { password: user.password });
    expect([throttled.statusCode, throttled.json().code]).toEqual([429, 'login_throttled']);
    expect(Number(throttled.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('on a PBX that is down, delays the removal and never gives it up: retried past the attempts a create gets', async () => {
    const user = await liveUser(direct);
    const extension = user.credentials.username;
    directPbx.failWith(pbxDown);
    try {
      expect((await deleteMe(direct, user.token, { password: user.password })).statusCode).toBe(202);
      await expect.poll(async () => (await deleteJob(direct, extension))?.attempts ?? 0, EVENTUALLY).toBeGreaterThan(WORKER.maxAttempts + 2);
      // Never given up: waiting for its next attempt, or already claimed for it (the worker runs on meanwhile).
      expect(['queued', 'running']).toContain((await deleteJob(direct, extension))?.state);
      expect(await userCount(direct, user.id)).toBe(1);
      expect(directPbx.live.has(extension)).toBe(true);
    } finally {
      directPbx.failWith(undefined);
    }
    await expect.poll(() => userCount(direct, user.id), EVENTUALLY).toBe(0);
    expect(directPbx.live.has(extension)).toBe(false);
  });

  it('on a PBX that needs Apply Config, erases the user only once an apply after the removal has finished', async () => {
    const user = await liveUser(applying);
    const extension = user.credentials.username;
    applyingPbx.failApplyWith(applyFails);
    try {
      expect((await deleteMe(applying, user.token, { password: user.password })).statusCode).toBe(202);
      await expect.poll(async () => (await deleteJob(applying, extension))?.state, EVENTUALLY).toBe('awaiting_apply');
      const applies = applyingPbx.applies;
      await expect.poll(() => applyingPbx.applies, EVENTUALLY).toBeGreaterThan(applies);
      expect(await userCount(applying, user.id)).toBe(1);
    } finally {
      applyingPbx.failApplyWith(undefined);
    }
    await expect.poll(() => userCount(applying, user.id), EVENTUALLY).toBe(0);
    expect(await deleteJob(applying, extension)).toMatchObject({ state: 'done', sip_account_id: null });
    expect(applyingPbx.live.has(extension)).toBe(false);
  });
});

describe('a deletion across a restart', () => {
  it('is resumed by the next start: the PBX failing, the service stopped, then a new one with the PBX back', async () => {
    const database = await createTestDatabase();
    const pbx = createScriptedPbx();
    let first: TestService | undefined = await createTestService({ database: database.handle, overrides: { driver: pbx.driver } });
    let second: TestService | undefined;
    try {
      const user = await liveUser(first);
      const extension = user.credentials.username;
      pbx.failWith(pbxDown);
      expect((await deleteMe(first, user.token, { password: user.password })).statusCode).toBe(202);
      await expect.poll(async () => (await deleteJob(first!, extension))?.attempts ?? 0, EVENTUALLY).toBeGreaterThan(0);
      await first.close();
      first = undefined;
      expect(pbx.live.has(extension)).toBe(true);

      pbx.failWith(undefined);
      second = await createTestService({ database: database.handle, overrides: { driver: pbx.driver } });
      await expect.poll(() => userCount(second!, user.id), EVENTUALLY).toBe(0);
      expect(pbx.live.has(extension)).toBe(false);
      expect(await deleteJob(second, extension)).toMatchObject({ state: 'done' });
    } finally {
      await first?.close();
      await second?.close();
      await database.close();
    }
  }, SLOW);
});

describe('a freed number', () => {
  it('is not handed out again before EXTENSION_REUSE_AFTER, and is by the first retention sweep after it has passed', async () => {
    const database = await createTestDatabase();
    const svc = await createTestService({ database: database.handle, env: { EXTENSION_RANGE: '2000-2001' }, overrides: { driver: createScriptedPbx().driver } });
    try {
      const leaver = await liveUser(svc);
      expect(leaver.credentials.username).toBe('2000');
      expect((await deleteMe(svc, leaver.token, { password: leaver.password })).statusCode).toBe(202);
      await expect.poll(() => userCount(svc, leaver.id), EVENTUALLY).toBe(0);

      expect((await registerAndLogin(svc.app)).register.json()).toMatchObject({ sip_extension: '2001' });
      const refused = (await registerAndLogin(svc.app)).register;
      expect([refused.statusCode, refused.json().code]).toEqual([503, 'extension_range_exhausted']);

      // Past its time, the hold is lifted by the next retention sweep, not before it.
      await svc.deps.database.db.execute(sql`update reserved_extensions set reusable_after = now() - interval '1 second' where extension = '2000'`);
      const stillHeld = (await registerAndLogin(svc.app)).register;
      expect([stillHeld.statusCode, stillHeld.json().code]).toEqual([503, 'extension_range_exhausted']);
      expect((await svc.deps.retention.sweepOnce()).deleted).toMatchObject({ 'numbers held after a user left': 1 });
      expect((await registerAndLogin(svc.app)).register.json()).toMatchObject({ sip_extension: '2000' });
    } finally {
      await svc.close();
      await database.close();
    }
  }, SLOW);

  it('is handed out again at once with EXTENSION_REUSE_AFTER=0', async () => {
    const database = await createTestDatabase();
    const svc = await createTestService({
      database: database.handle,
      env: { EXTENSION_RANGE: '2100-2100', EXTENSION_REUSE_AFTER: '0' },
      overrides: { driver: createScriptedPbx().driver },
    });
    try {
      const leaver = await liveUser(svc);
      expect((await deleteMe(svc, leaver.token, { password: leaver.password })).statusCode).toBe(202);
      await expect.poll(() => userCount(svc, leaver.id), EVENTUALLY).toBe(0);
      expect((await registerAndLogin(svc.app)).register.json()).toMatchObject({ sip_extension: '2100' });
    } finally {
      await svc.close();
      await database.close();
    }
  }, SLOW);
});
