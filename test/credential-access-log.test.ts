import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { queryRows } from '../src/db/database.ts';
import { createCredentialAccessRepository } from '../src/modules/credential-access/credential-access.repository.ts';
import { createTestService, registerAndLogin, serviceForThisFile } from './support/test-service.ts';

type Entry = { accessed_at: string; channel: string; address: string; user_agent: string | null; count: number };
type Page = { items: Entry[]; next_cursor: string | null };

  // A flush interval far beyond any test: an entry reaches the database only when something flushes it.
const file = serviceForThisFile({
    env: { ACROBITS_CLOUD_ID: 'ACME42', PROVISIONING_RATE_LIMIT_PER_MINUTE: '100000' },
    overrides: { credentialAccess: { recorder: { flushIntervalMs: 3_600_000 } } },
});

const UA = 'TestPhone/1.0';
const get = (url: string, bearer: string, headers: Record<string, string> = {}) =>
  file.service.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${bearer}`, 'user-agent': UA, ...headers } });
const accessLog = async (bearer: string, query = '') => {
  const response = await get(`/sip/credentials/access-log${query}`, bearer);
  expect(response.statusCode, response.body).toBe(200);
  expect(response.headers['cache-control']).toBe('no-store');
  return response.json<Page>();
};

describe('the credential access log', () => {
  it('records each delivery of the secret once, with its channel, time, address and user agent', async () => {
    const { token } = await registerAndLogin(file.service.app);
    const deliveries: [string, string][] = [
      ['/sip/credentials', 'json'],
      ['/sip/credentials/linphone-xml', 'linphone-xml'],
      ['/sip/credentials/acrobits', 'acrobits'],
      ['/sip/credentials/sessiontalk', 'sessiontalk'],
      ['/sip/credentials/acrobits/qr.png', 'acrobits/qr.png'],
      ['/sip/credentials/sessiontalk/qr.svg', 'sessiontalk/qr.svg'],
    ];
    const before = Date.now();
    for (const [url] of deliveries) expect((await get(url, token)).statusCode).toBe(200);
    const link = (await file.service.app.inject({ method: 'POST', url: '/sip/provisioning-links', headers: { authorization: `Bearer ${token}` } })).json<{ url: string }>();
    const path = new URL(link.url).pathname;
    // The help page and the link's QR code hold no secret: not recorded. Linphone's fetch is.
    expect((await file.service.app.inject({ method: 'GET', url: path, headers: { accept: 'text/html' } })).statusCode).toBe(200);
    expect((await file.service.app.inject({ method: 'GET', url: `${path}/qr.png` })).statusCode).toBe(200);
    const fetched = await file.service.app.inject({ method: 'GET', url: path, headers: { 'x-linphone-provisioning': '1', 'user-agent': 'Linphone/5.2' } });
    expect(fetched.statusCode).toBe(200);

    const { items, next_cursor } = await accessLog(token);
    expect(next_cursor).toBeNull();
    expect(items.map((item) => item.channel)).toEqual(['provisioning_link', ...deliveries.map(([, channel]) => channel).reverse()]);
    for (const item of items) {
      expect(Object.keys(item).sort()).toEqual(['accessed_at', 'address', 'channel', 'count', 'user_agent']);
      expect(item.count).toBe(1);
      expect(item.address).toBe('127.0.0.1');
      expect(Date.parse(item.accessed_at)).toBeGreaterThanOrEqual(before - 1);
      expect(Date.parse(item.accessed_at)).toBeLessThanOrEqual(Date.now());
    }
    expect(items[0]!.user_agent).toBe('Linphone/5.2');
    expect(items.slice(1).every((item) => item.user_agent === UA)).toBe(true);
  });

  it('records nothing for sip-uri (it holds no secret), for refused reads, nor for another user', async () => {
    const { token } = await registerAndLogin(file.service.app);
    const other = await registerAndLogin(file.service.app);
    expect((await get('/sip/credentials/sip-uri', token)).statusCode).toBe(200);
    expect((await get('/sip/credentials/sip-uri/qr.png', token)).statusCode).toBe(200);
    expect((await get('/sip/credentials', 'not.a.token')).statusCode).toBe(401);
    expect((await get('/sip/credentials', other.token)).statusCode).toBe(200);
    expect((await accessLog(token)).items).toEqual([]);
    expect((await accessLog(other.token)).items.map((item) => item.channel)).toEqual(['json']);
  });

  it('pages newest first with next_cursor until null, with no entry twice or missed', async () => {
    const { token } = await registerAndLogin(file.service.app);
    for (let i = 0; i < 7; i++) await get('/sip/credentials', token, { 'user-agent': `phone-${i}` });
    const seen: string[] = [];
    let cursor: string | null = '';
    let pages = 0;
    while (cursor !== null) {
      const page: Page = await accessLog(token, `?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.items.length).toBeLessThanOrEqual(3);
      seen.push(...page.items.map((item) => item.user_agent!));
      cursor = page.next_cursor;
      pages += 1;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual(['phone-6', 'phone-5', 'phone-4', 'phone-3', 'phone-2', 'phone-1', 'phone-0']);
    expect((await accessLog(token)).items).toHaveLength(7); // default limit 20
  });

  it('answers 422 for a bad limit or cursor and 401 without a token', async () => {
    const { token } = await registerAndLogin(file.service.app);
    for (const query of ['?limit=0', '?limit=101', '?limit=ten', '?cursor=bm9wZQ', '?other=1']) {
      const response = await get(`/sip/credentials/access-log${query}`, token);
      expect(response.statusCode, query).toBe(422);
      expect(response.json()).toMatchObject({ code: 'validation_failed' });
    }
    const anonymous = await file.service.app.inject({ method: 'GET', url: '/sip/credentials/access-log' });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json()).toMatchObject({ code: 'not_authenticated' });
  });

  it('the retention sweep deletes entries older than ACCESS_LOG_RETENTION_DAYS and keeps the rest', async () => {
    const { token, email } = await registerAndLogin(file.service.app);
    const { db } = file.service.deps.database;
    const [user] = await queryRows<{ id: string }>(db, sql`select id from users where email = ${email}`);
    const day = 24 * 3600_000;
    const entry = (daysAgo: number, channel: string) => ({ userId: user!.id, channel, accessedAt: new Date(Date.now() - daysAgo * day), address: '192.0.2.1', userAgent: null, count: 1 });
    await createCredentialAccessRepository({ db }).insertMany([entry(91, 'json'), entry(400, 'acrobits'), entry(89, 'linphone-xml'), entry(1, 'sessiontalk')]);

    expect(file.service.deps.config.retention.accessLogDays).toBe(90);
    expect((await file.service.deps.retention.sweepOnce()).deleted['credential access entries past retention']).toBeGreaterThanOrEqual(2);
    expect((await accessLog(token)).items.map((item) => item.channel)).toEqual(['sessiontalk', 'linphone-xml']);
  });

  it('a user\'s entries go with the user, and entries written after the user went are swept', async () => {
    const { db } = file.service.deps.database;
    const { token, email } = await registerAndLogin(file.service.app);
    await get('/sip/credentials', token);
    await file.service.deps.credentialAccess.flush();
    const [user] = await queryRows<{ id: string }>(db, sql`select id from users where email = ${email}`);
    const entries = () => queryRows(db, sql`select 1 from credential_access_log where user_id = ${user!.id}`);
    expect(await entries()).toHaveLength(1);
    await db.execute(sql`delete from users where id = ${user!.id}`);
    expect(await entries()).toHaveLength(0);

    // A batch in flight when the user went lands afterwards: the next sweep removes it.
    await createCredentialAccessRepository({ db }).insertMany([{ userId: user!.id, channel: 'json', accessedAt: new Date(), address: '192.0.2.1', userAgent: null, count: 1 }]);
    expect(await entries()).toHaveLength(1);
    expect((await file.service.deps.retention.sweepOnce()).deleted['credential access entries of erased users']).toBeGreaterThanOrEqual(1);
    expect(await entries()).toHaveLength(0);
  });

  it('entries still waiting in memory are written when the service closes', async () => {
    const own = await createTestService({ database: file.database.handle, overrides: { credentialAccess: { recorder: { flushIntervalMs: 3_600_000 } } } });
    const { token, email } = await registerAndLogin(own.app);
    for (let i = 0; i < 3; i++) expect((await own.app.inject({ method: 'GET', url: '/sip/credentials', headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(200);
    // Three identical reads within a second: one entry standing for three.
    const count = () => queryRows<{ n: number }>(file.database.handle.db, sql`select coalesce(sum(count), 0)::int as n from credential_access_log l join users u on u.id = l.user_id where u.email = ${email}`);
    expect(own.deps.credentialAccess.pending()).toBeGreaterThanOrEqual(1);
    expect((await count())[0]!.n).toBe(0);
    await own.close();
    expect((await count())[0]!.n).toBe(3);
  });
});
