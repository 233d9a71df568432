import { sql } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/db/database.ts';
import { createNoneDriver } from '../src/modules/pbx/none/none-driver.ts';
import { PbxError, type PbxDriver, type PbxRegistration } from '../src/modules/pbx/pbx-driver.ts';
import { createRegistrationWatch } from '../src/modules/sip-accounts/registration-watch.ts';
import { createTestDatabase, type TestDatabase } from './support/test-database.ts';
import { createTestService, registerAndLogin, type TestService } from './support/test-service.ts';

// A PBX that can tell who registered: the test says which extensions have a phone, and can make it fail.
const registered = new Map<string, string | null>();
let failing = false;
const asked: string[][] = [];
const pbx: PbxDriver = {
  ...createNoneDriver(),
  async registrations(extensions) {
    asked.push([...extensions]);
    if (failing) throw new PbxError({ kind: 'unavailable', retryable: true, message: 'registrar database down' });
    return extensions.flatMap((extension): PbxRegistration[] => (registered.has(extension) ? [{ extension, userAgent: registered.get(extension)! }] : []));
  },
};

let database: TestDatabase;
let service: TestService;

beforeAll(async () => {
  database = await createTestDatabase();
  service = await createTestService({ database: database.handle, overrides: { driver: pbx } });
});
afterAll(async () => {
  await service?.close();
  await database?.close();
});

const me = async (token: string) =>
  (await service.app.inject({ method: 'GET', url: '/auth/me', headers: { authorization: `Bearer ${token}` } })).json<{
    sip_account: { extension: string; status: string; activated_at: string | null; registered_at: string | null; user_agent: string | null };
  }>().sip_account;

describe('first registration seen', () => {
  it('turns a live account registered, with when and the phone\'s User-Agent, once the PBX has a phone registered', async () => {
    const { token } = await registerAndLogin(service.app);
    const before = await me(token);
    expect(before).toMatchObject({ status: 'active', registered_at: null, user_agent: null });

    expect(await service.deps.registrationWatch!.checkOnce()).toBe(0);
    expect(asked.at(-1)).toContain(before.extension);
    expect((await me(token)).status).toBe('active');

    registered.set(before.extension, 'LinphoneAndroid/5.2.5 (Pixel 7) LinphoneSDK/5.3.47');
    const checkedAt = Date.now();
    expect(await service.deps.registrationWatch!.checkOnce()).toBeGreaterThanOrEqual(1);
    const after = await me(token);
    expect(after).toMatchObject({ status: 'registered', user_agent: 'LinphoneAndroid/5.2.5 (Pixel 7) LinphoneSDK/5.3.47', activated_at: before.activated_at });
    expect(Math.abs(Date.parse(after.registered_at!) - checkedAt)).toBeLessThan(10_000);

    // The first registration is kept: later phones neither ask again nor overwrite it.
    registered.set(before.extension, 'Linphonec/5.1.65');
    const askedBefore = asked.length;
    await service.deps.registrationWatch!.checkOnce();
    expect(asked.slice(askedBefore).flat()).not.toContain(before.extension);
    expect(await me(token)).toEqual(after);
  });

  it('forgets the registration when the secret changes (a rotation), until a phone registers with the new one', async () => {
    const { token } = await registerAndLogin(service.app);
    const { extension } = await me(token);
    registered.set(extension, 'Linphonec/5.1.65');
    await service.deps.registrationWatch!.checkOnce();
    expect((await me(token)).status).toBe('registered');

    registered.delete(extension); // the phone with the old secret is refused and its binding lapses
    const rotated = await service.app.inject({ method: 'POST', url: '/sip/credentials/rotate', headers: { authorization: `Bearer ${token}` } });
    expect(rotated.statusCode).toBe(200);
    expect(await me(token)).toMatchObject({ status: 'active', registered_at: null, user_agent: null });
    await service.deps.registrationWatch!.checkOnce();
    expect((await me(token)).status).toBe('active');

    registered.set(extension, 'LinphoneiOS/5.2.4 (iPhone) LinphoneSDK/5.3.30');
    await service.deps.registrationWatch!.checkOnce();
    expect(await me(token)).toMatchObject({ status: 'registered', user_agent: 'LinphoneiOS/5.2.4 (iPhone) LinphoneSDK/5.3.30' });
  });

  it('leaves the account active when the PBX fails, and records it at the next check', async () => {
    const { token } = await registerAndLogin(service.app);
    const { extension } = await me(token);
    registered.set(extension, null);
    failing = true;
    await expect(service.deps.registrationWatch!.checkOnce()).rejects.toThrow('registrar database down');
    expect((await me(token)).status).toBe('active');
    failing = false;
    await service.deps.registrationWatch!.checkOnce();
    expect(await me(token)).toMatchObject({ status: 'registered', user_agent: null });
  });

  it('is not built for a PBX that cannot tell (accounts stay active), nor with REGISTRATION_CHECK_INTERVAL_SECONDS=0, and GET /auth/me says which', async () => {
    const none = await createTestService({ database: database.handle, startWorker: false });
    const off = await createTestService({ database: database.handle, overrides: { driver: pbx }, env: { REGISTRATION_CHECK_INTERVAL_SECONDS: '0' }, startWorker: false });
    const reported = async (app: TestService['app']) => {
      const { token } = await registerAndLogin(app);
      const headers = { authorization: `Bearer ${token}` };
      const got = (await app.inject({ method: 'GET', url: '/auth/me', headers })).json<{ registration_reported: boolean }>().registration_reported;
      // PATCH /auth/me answers as GET does.
      const patched = (await app.inject({ method: 'PATCH', url: '/auth/me', headers, payload: { locale: 'es' } })).json<{ registration_reported: boolean }>();
      expect(patched.registration_reported).toBe(got);
      return got;
    };
    try {
      expect(none.deps.registrationWatch).toBeUndefined();
      expect(off.deps.registrationWatch).toBeUndefined();
      expect([await reported(service.app), await reported(none.app), await reported(off.app)]).toEqual([true, false, false]);
    } finally {
      await none.close();
      await off.close();
    }
  });

  it('runs on its own timer once started, and stops', async () => {
    const { token } = await registerAndLogin(service.app);
    const { extension } = await me(token);
    registered.set(extension, 'Linphone/5.2.6');
    service.deps.registrationWatch!.start();
    try {
      await expect.poll(async () => (await me(token)).status, { timeout: 5_000 }).toBe('registered');
    } finally {
      await service.deps.registrationWatch!.stop();
    }
  });
});

describe('the registration watch across instances on one database', () => {
  const silent = pino({ level: 'silent' });
  const INTERVAL_MS = 1_000;
  let passes = 0;
  const counted = { registrations: async (extensions: readonly string[]) => ((passes += 1), pbx.registrations!(extensions)) };
  const instance = () => createRegistrationWatch({ db: database.handle.db, driver: counted, intervalMs: INTERVAL_MS, logger: silent });
  /** The lease as a holder (none: null) left it, the last pass begun an hour ago. */
  const lease = (holder: string | null, expiresInMs: number) => database.handle.db.execute(sql`
    insert into registration_watch_lease (id, holder, expires_at, last_started_at)
    values (1, ${holder}, now() + ${expiresInMs} * interval '1 millisecond', now() - interval '1 hour')
    on conflict (id) do update set holder = excluded.holder, expires_at = excluded.expires_at, last_started_at = excluded.last_started_at`);

  it('asks the PBX once per interval for the whole fleet, whichever instance comes first', async () => {
    await registerAndLogin(service.app); // a live account no phone has registered with: a pass asks about it
    await lease(null, 0);
    const [a, b] = [instance(), instance()];
    // Side by side: exactly one of them passes.
    const firstRound = await Promise.all([a.passIfDue(), b.passIfDue()]);
    expect(firstRound.filter((recorded) => recorded !== undefined)).toHaveLength(1);
    expect(passes).toBe(1);
    // Within the same interval neither passes again, the one that did included.
    expect([await a.passIfDue(), await b.passIfDue()]).toEqual([undefined, undefined]);
    expect(passes).toBe(1);

    await new Promise((resolve) => setTimeout(resolve, INTERVAL_MS));
    expect(await b.passIfDue()).toBe(0);
    expect(passes).toBe(2);
  });

  it('waits for a live holder\'s pass, and not for one whose holder died (its lease ran out)', async () => {
    const watch = instance();
    const before = passes;
    await lease('registrations-on-another-instance', 60_000);
    expect(await watch.passIfDue()).toBeUndefined();
    await lease('registrations-of-a-killed-process', -1_000);
    expect(await watch.passIfDue()).toBe(0);
    expect(passes).toBe(before + 1);
  });
});

describe('a pass over many waiting accounts', () => {
  it('asks the PBX once about all of them, newest first, and records every registration it answers', async () => {
    const { db } = database.handle;
    // 1,200 live accounts no phone has registered with yet, seeded directly: more than one page of 500.
    await db.execute(sql`insert into users (email, password_hash, created_at)
      select 'waiting' || g || '@example.test', 'x', now() - g * interval '1 second' from generate_series(1, 1200) g`);
    await db.execute(sql`insert into sip_accounts (user_id, extension, secret_ciphertext, status, activated_at)
      select id, (700000 + row_number() over (order by created_at))::text, 'x', 'active', created_at
        from users where email like 'waiting%@example.test'`);
    const calls: string[][] = [];
    const watch = createRegistrationWatch({
      db,
      intervalMs: 60_000,
      logger: pino({ level: 'silent' }),
      driver: {
        async registrations(extensions) {
          calls.push([...extensions]);
          // Phones on the 700 oldest-numbered seeded extensions.
          return extensions.filter((extension) => Number(extension) >= 700_001 && Number(extension) <= 700_700).map((extension) => ({ extension, userAgent: `Phone ${extension}` }));
        },
      },
    });
    expect(await watch.checkOnce()).toBe(700);
    expect(calls).toHaveLength(1);
    // The numbers were handed out oldest first, so newest first is 701200 down to 700001.
    expect(calls[0]!.filter((extension) => extension.startsWith('70'))).toEqual(Array.from({ length: 1200 }, (_, i) => String(701_200 - i)));
    const [counts] = await queryRows<{ registered: number; agent: string | null }>(db, sql`
      select count(*) filter (where registered_at is not null)::int as registered,
             max(registered_user_agent) filter (where extension = '700700') as agent
        from sip_accounts where extension::int between 700001 and 701200`);
    expect(counts).toEqual({ registered: 700, agent: 'Phone 700700' });
  });
});
