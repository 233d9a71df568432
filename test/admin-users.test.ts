import { sql } from 'drizzle-orm';
import { queryRows } from '../src/db/database.ts';
import { beforeAll, describe, expect, it } from 'vitest';
import { adminRequest, bearer, grantedAdmin, recordRegistration, rowsOf } from './support/admin-users.ts';
import { createScriptedPbx } from './support/pbx-doubles.ts';
import { createTestDatabase } from './support/test-database.ts';
import { registerAndLogin, serviceForThisFile, uniqueEmail } from './support/test-service.ts';

const EVENTUALLY = { timeout: 15_000, interval: 50 };
const pbx = createScriptedPbx();
const file = serviceForThisFile({ overrides: { driver: pbx.driver } });
let admin: Awaited<ReturnType<typeof grantedAdmin>>;
beforeAll(async () => {
  admin = await grantedAdmin(file.service);
});

const call = (method: 'GET' | 'POST' | 'DELETE', url: string) => adminRequest(file.service.app, admin.token, method, url);
const credentials = (token: string) => file.service.app.inject({ method: 'GET', url: '/sip/credentials', headers: bearer(token) });

async function liveUser(displayName?: string) {
  const user = await registerAndLogin(file.service.app, { email: uniqueEmail('staff'), displayName });
  await expect.poll(async () => (await credentials(user.token)).statusCode, EVENTUALLY).toBe(200);
  const sip = (await credentials(user.token)).json<{ username: string; password: string }>();
  return { ...user, id: user.register.json<{ id: string }>().id, extension: sip.username, secret: sip.password };
}

const PHONE = 'LinphoneAndroid/5.2.5 (Pixel 7) LinphoneSDK/5.3.47';
const phoneRegistered = (user: { email: string }) => recordRegistration(file.service, user.email, { userAgent: PHONE });

describe('GET /admin/users', () => {
  it('finds users by a prefix of their email, display name or extension, with their account state', async () => {
    const user = await liveUser('Zebulon Quartermain');
    for (const query of [user.email.slice(0, 18).toUpperCase(), 'zebulon quart', user.extension]) {
      const page = await call('GET', `/admin/users?query=${encodeURIComponent(query)}`);
      expect(page.statusCode).toBe(200);
      expect(page.json().items).toContainEqual({
        id: user.id, email: user.email, display_name: 'Zebulon Quartermain', created_at: expect.any(String), sip_extension: user.extension,
        account_status: 'active', last_error: null, disabled: false, deleting: false, registered_at: null, registered_user_agent: null,
      });
    }
    expect((await call('GET', '/admin/users?query=%25')).json().items).toEqual([]); // % is a character, not a wildcard
  });

  it('pages newest first with next_cursor, each user once, and filters by status', async () => {
    const made = [await liveUser('Pager'), await liveUser('Pager'), await liveUser('Pager')];
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await call('GET', `/admin/users?query=pager&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.statusCode).toBe(200);
      const body = page.json<{ items: { id: string }[]; next_cursor: string | null }>();
      seen.push(...body.items.map((item) => item.id));
      cursor = body.next_cursor;
    } while (cursor);
    expect(seen).toEqual(made.map((user) => user.id).reverse());
    const active = (await call('GET', '/admin/users?query=pager&status=active')).json<{ items: unknown[] }>().items;
    expect(active).toHaveLength(3);
    expect((await call('GET', '/admin/users?query=pager&status=failed')).json().items).toEqual([]);
    expect((await call('GET', '/admin/users?cursor=bm9wZQ')).statusCode).toBe(422);
    expect((await call('GET', '/admin/users?limit=0')).statusCode).toBe(422);
  });

  const idsOf = async (url: string) => (await call('GET', url)).json<{ items: { id: string }[] }>().items.map((item) => item.id);

  it('status=registered and registered=true list an active user a phone registered with; registered=false the live ones still waiting for their phone', async () => {
    const waiting = await liveUser('Phonefilter Waiting');
    const ringing = await liveUser('Phonefilter Ringing');
    await phoneRegistered(ringing);
    const scoped = '/admin/users?query=phonefilter';
    expect(await idsOf(`${scoped}&status=registered`)).toEqual([ringing.id]);
    expect(await idsOf(`${scoped}&registered=true`)).toEqual([ringing.id]);
    expect(await idsOf(`${scoped}&registered=false`)).toEqual([waiting.id]);
    expect(await idsOf(`${scoped}&status=active&registered=false`)).toEqual([waiting.id]);
    expect(await idsOf(`${scoped}&status=active`)).toEqual([ringing.id, waiting.id]); // active keeps meaning every live account
    expect(await idsOf(`${scoped}&status=registered&registered=false`)).toEqual([]);

    // `registered` is GET /auth/me's: an account cut off since is no longer registered, though its registered_at stays.
    expect((await call('POST', `/admin/users/${ringing.id}/disable`)).statusCode).toBe(202);
    expect(await idsOf(`${scoped}&status=registered`)).toEqual([]);
    expect(await idsOf(`${scoped}&status=disabled&registered=true`)).toEqual([ringing.id]);
  });

  it('pages the live accounts waiting for their phone newest first with next_cursor, each once', async () => {
    const made = [await liveUser('Awaitpager'), await liveUser('Awaitpager'), await liveUser('Awaitpager')];
    await phoneRegistered(made[1]!);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await call('GET', `/admin/users?query=awaitpager&status=active&registered=false&limit=1${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.statusCode).toBe(200);
      const body = page.json<{ items: { id: string }[]; next_cursor: string | null }>();
      seen.push(...body.items.map((item) => item.id));
      cursor = body.next_cursor;
    } while (cursor);
    expect(seen).toEqual([made[2]!.id, made[0]!.id]);
  });

  it('answers 422 validation_failed for a registered other than true or false, as for a bad status', async () => {
    for (const value of ['maybe', 'TRUE', '1', '']) {
      const answer = await call('GET', `/admin/users?registered=${value}`);
      expect([answer.statusCode, answer.headers['content-type']], value).toEqual([422, 'application/problem+json; charset=utf-8']);
      expect(answer.json()).toMatchObject({ code: 'validation_failed', errors: [{ field: 'registered', message: expect.stringContaining('pattern') }] });
    }
    const status = await call('GET', '/admin/users?status=ringing');
    expect([status.statusCode, status.json().code, status.json().errors[0].field]).toEqual([422, 'validation_failed', 'status']);
  });
});

describe('the listing of the live accounts waiting for their phone', () => {
  it('is planned on how few they really are: accounts not live yet have no registration either, and do not count as waiting', async () => {
    const database = await createTestDatabase();
    try {
      const { db } = database.handle;
      // 2,000 accounts: 80 pending (no registration yet, as every account not live), 2 live and waiting, the rest registered.
      await db.execute(sql`insert into users (email, password_hash, created_at)
        select 'u' || g || '@example.test', 'x', now() - g * interval '1 second' from generate_series(1, 2000) g`);
      await db.execute(sql`insert into sip_accounts (user_id, extension, secret_ciphertext, status, activated_at, registered_at)
        select id, (100000 + n)::text, 'x', case when n % 25 = 0 then 'pending' else 'active' end, created_at,
          case when n % 25 <> 0 and n % 1000 <> 1 then created_at end
        from (select id, created_at, row_number() over (order by created_at) as n from users) s`);
      await db.execute(sql`analyze sip_accounts`);
      const [waiting] = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from sip_accounts where status = 'active' and registered_at is null`);
      expect(waiting).toEqual({ n: 2 });
      const [plan] = await queryRows<{ 'QUERY PLAN': unknown }>(db, sql`explain (format json) select id from sip_accounts where status = 'active' and registered_at is null`);
      const json = plan!['QUERY PLAN'];
      const estimate = (typeof json === 'string' ? JSON.parse(json) : json)[0].Plan['Plan Rows'] as number;
      // As if independent, the two conditions would make it about 80 (0.96 × 0.04 × 2,000): the listing would then walk every user.
      expect(estimate).toBeLessThan(10);
    } finally {
      await database.close();
    }
  });
});

describe('GET /admin/users/{id}', () => {
  it('shows the user, their account (never its secret), their live sessions and their latest jobs', async () => {
    const user = await liveUser();
    const answer = await call('GET', `/admin/users/${user.id}`);
    expect(answer.statusCode).toBe(200);
    const body = answer.json();
    expect(body.user).toMatchObject({ id: user.id, email: user.email, is_admin: false, email_verified: false });
    expect(body.account).toMatchObject({ extension: user.extension, status: 'active' });
    expect(body.sessions).toHaveLength(1);
    expect(body.jobs).toMatchObject([{ kind: 'create', state: 'done' }]);
    expect(answer.body).not.toContain(user.secret);
  });

  it('shows when a phone first registered with the account and its User-Agent, in the user and the account, as the listing does', async () => {
    const user = await liveUser('Registered Detail');
    const before = (await call('GET', `/admin/users/${user.id}`)).json();
    expect(before.user).toMatchObject({ registered_at: null, registered_user_agent: null });
    expect(before.account).toMatchObject({ registered_at: null, registered_user_agent: null });

    await phoneRegistered(user);
    const body = (await call('GET', `/admin/users/${user.id}`)).json();
    const registration = { registered_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T.*Z$/), registered_user_agent: PHONE };
    expect(body.user).toMatchObject({ ...registration, account_status: 'active' });
    expect(body.account).toMatchObject({ ...registration, status: 'active' });
    expect(Math.abs(Date.parse(body.user.registered_at) - Date.now())).toBeLessThan(60_000);
    const [item] = (await call('GET', `/admin/users?query=${encodeURIComponent(user.email)}`)).json().items;
    expect(item).toMatchObject({ id: user.id, registered_at: body.user.registered_at, registered_user_agent: registration.registered_user_agent });
  });
});

describe('disable and enable', () => {
  it('disable refuses the login, every token and the credentials at once, takes the extension off the PBX and keeps the number', async () => {
    const user = await liveUser();
    const answer = await call('POST', `/admin/users/${user.id}/disable`);
    expect([answer.statusCode, answer.json()]).toEqual([202, { user_id: user.id, disabled: true, account_status: 'disabled' }]);

    const login = await file.service.app.inject({ method: 'POST', url: '/auth/login', payload: { email: user.email, password: user.password } });
    expect([login.statusCode, login.json().code]).toEqual([403, 'user_inactive']);
    expect((await credentials(user.token)).statusCode).toBe(401);
    const refreshed = await file.service.app.inject({ method: 'POST', url: '/auth/refresh', payload: { refresh_token: user.refreshToken } });
    expect(refreshed.statusCode).toBe(401);
    await expect.poll(() => pbx.live.has(user.extension), EVENTUALLY).toBe(false);
    await expect.poll(async () => (await call('GET', `/admin/users/${user.id}`)).json().jobs[0].state, EVENTUALLY).toBe('done');
    const detail = (await call('GET', `/admin/users/${user.id}`)).json();
    expect(detail.user).toMatchObject({ disabled: true, sip_extension: user.extension, account_status: 'disabled' });
    expect(detail.sessions).toEqual([]);
  });

  it('enable brings the extension back with a new secret, and the user logs in again', async () => {
    const user = await liveUser();
    // A phone had registered with the old secret: that registration says nothing about the new one.
    await phoneRegistered(user);
    expect((await call('POST', `/admin/users/${user.id}/disable`)).statusCode).toBe(202);
    await expect.poll(() => pbx.live.has(user.extension), EVENTUALLY).toBe(false);
    const answer = await call('POST', `/admin/users/${user.id}/enable`);
    expect([answer.statusCode, answer.json()]).toEqual([202, { user_id: user.id, disabled: false, account_status: 'pending' }]);

    const again = await registerAndLogin(file.service.app, { email: user.email, password: user.password });
    await expect.poll(async () => (await credentials(again.token)).statusCode, EVENTUALLY).toBe(200);
    const sip = (await credentials(again.token)).json<{ username: string; password: string }>();
    expect(sip.username).toBe(user.extension);
    expect(sip.password).not.toBe(user.secret);
    expect(pbx.live.get(user.extension)).toBe(sip.password);
    const me = (await file.service.app.inject({ method: 'GET', url: '/auth/me', headers: bearer(again.token) })).json();
    expect(me.sip_account).toMatchObject({ status: 'active', registered_at: null, user_agent: null });
  });

  it('disabling twice queues one removal', async () => {
    const user = await liveUser();
    expect((await call('POST', `/admin/users/${user.id}/disable`)).statusCode).toBe(202);
    expect((await call('POST', `/admin/users/${user.id}/disable`)).statusCode).toBe(202);
    const jobs = await rowsOf<{ n: number }>(file.service, sql`select count(*)::int as n from provisioning_jobs where extension = ${user.extension} and kind = 'delete'`);
    expect(jobs).toEqual([{ n: 1 }]);
  });
});

describe('reprovision, rotate-secret and delete', () => {
  it('reprovision pushes a live account again with its secret unchanged', async () => {
    const user = await liveUser();
    expect((await call('POST', `/admin/users/${user.id}/reprovision`)).statusCode).toBe(202);
    await expect.poll(() => pbx.calls.filter((c) => c.extension === user.extension).map((c) => c.method), EVENTUALLY).toEqual(['create', 'update']);
    expect(pbx.live.get(user.extension)).toBe(user.secret);
  });

  it('rotate-secret gives the account a new live secret', async () => {
    const user = await liveUser();
    expect((await call('POST', `/admin/users/${user.id}/rotate-secret`)).statusCode).toBe(202);
    await expect.poll(async () => (await credentials(user.token)).json().password, EVENTUALLY).not.toBe(user.secret);
    expect(pbx.live.get(user.extension)).toBe((await credentials(user.token)).json().password);
  });

  it('delete removes the user as their own deletion does, and a later action on them answers 409 user_being_deleted (404 once erased)', async () => {
    const user = await liveUser();
    expect((await call('DELETE', `/admin/users/${user.id}`)).statusCode).toBe(202);
    expect((await credentials(user.token)).statusCode).toBe(401);
    const again = await call('POST', `/admin/users/${user.id}/disable`);
    expect([[409, 'user_being_deleted'], [404, 'user_not_found']]).toContainEqual([again.statusCode, again.json().code]);
    await expect.poll(async () => (await call('GET', `/admin/users/${user.id}`)).statusCode, EVENTUALLY).toBe(404);
    expect(pbx.live.has(user.extension)).toBe(false);
  });
});

describe('GET /admin/audit-log and GET /admin/stats', () => {
  it('records each action with who, whom, from where, newest first and paged', async () => {
    const user = await liveUser();
    await call('POST', `/admin/users/${user.id}/disable`);
    await call('POST', `/admin/users/${user.id}/enable`);
    const first = (await call('GET', '/admin/audit-log?limit=1')).json();
    expect(first.items).toEqual([{
      id: expect.any(Number), at: expect.any(String), actor_user_id: admin.id, actor_email: admin.email, action: 'user.enable',
      target_user_id: user.id, target_email: user.email, address: '127.0.0.1', user_agent: 'admin-test/1.0', detail: expect.objectContaining({ new_secret: true }),
    }]);
    const second = (await call('GET', `/admin/audit-log?limit=1&cursor=${first.next_cursor}`)).json();
    expect(second.items[0]).toMatchObject({ action: 'user.disable', target_user_id: user.id, detail: { sessions_ended: 1 } });
  });

  it('counts accounts by status, sign-ups per day, the queue and the last Apply Config', async () => {
    const answer = await call('GET', '/admin/stats');
    expect(answer.statusCode).toBe(200);
    const stats = answer.json();
    expect(stats.accounts_by_status.active).toBeGreaterThan(0);
    expect(stats.sign_ups_per_day.at(-1)).toEqual({ day: new Date().toISOString().slice(0, 10), count: expect.any(Number) });
    expect(stats).toMatchObject({ users: { total: expect.any(Number) }, queue: expect.any(Object), last_apply_config: { error: null } });
  });
});
