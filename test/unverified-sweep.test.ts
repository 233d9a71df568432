import { sql } from 'drizzle-orm';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { queryRows, type Queryable } from '../src/db/database.ts';
import { createUnverifiedAccountSweep } from '../src/modules/onboarding/unverified-sweep.ts';
import { createLogger } from '../src/shared/logger.ts';
import { mailsTo, onlyTokenIn } from './support/outbox.ts';
import { createPostgresTestDatabase } from './support/test-database.ts';
import { GOOD_PASSWORD, serviceForThisFile, uniqueEmail, type TestService } from './support/test-service.ts';

const required = serviceForThisFile({ env: { EMAIL_VERIFICATION: 'required', EXTENSION_RANGE: '3000-3002' } });
const off = serviceForThisFile({ env: { EXTENSION_RANGE: '4000-4009' } });
const DAY = 86_400;

async function signUp(service: TestService) {
  const email = uniqueEmail('sweep');
  const answer = await service.app.inject({ method: 'POST', url: '/auth/register', payload: { email, password: GOOD_PASSWORD } });
  return { email, answer };
}
const age = (db: Queryable, email: string, days: number) => queryRows(db, sql`update users set created_at = now() - ${days} * interval '1 day' where email = ${email}`);
const exists = async (db: Queryable, email: string) => (await queryRows(db, sql`select 1 from users where email = ${email}`)).length === 1;

describe('the sweep of accounts never verified', () => {
  it('removes the account past UNVERIFIED_ACCOUNT_TTL and frees its number; a verified one and a young one stay', async () => {
    const { db } = required.service.deps.database;
    const sweep = required.service.deps.unverifiedSweep;
    const [stale, verified, young] = [await signUp(required.service), await signUp(required.service), await signUp(required.service)];
    expect(stale.answer.json().provisioning_status).toBe('awaiting_verification');
    // The range 3000-3002 is full: a fourth person gets 503 extension_range_exhausted.
    expect((await signUp(required.service)).answer.json()).toMatchObject({ status: 503, code: 'extension_range_exhausted' });

    const [mail] = await mailsTo(required.service.deps.config.mail.outboxDir, verified.email, /email/i);
    expect((await required.service.app.inject({ method: 'POST', url: '/auth/verify-email', payload: { token: onlyTokenIn(mail!) } })).statusCode).toBe(200);
    await age(db, stale.email, 8);
    await age(db, verified.email, 8);
    await age(db, young.email, 6);

    expect(await sweep.sweepOnce()).toBe(1);
    expect(await exists(db, stale.email)).toBe(false);
    expect(await exists(db, verified.email)).toBe(true);
    expect(await exists(db, young.email)).toBe(true);
    expect(await queryRows(db, sql`select 1 from sip_accounts where extension = ${stale.answer.json().sip_extension}`)).toEqual([]);
    expect(await queryRows(db, sql`select 1 from email_tokens t where not exists (select 1 from users u where u.id = t.user_id)`)).toEqual([]);
    // The freed number goes to the next person.
    expect((await signUp(required.service)).answer.json()).toMatchObject({ sip_extension: stale.answer.json().sip_extension });
    expect(await sweep.sweepOnce()).toBe(0);
  });

  it('never removes an account that is live on the PBX (EMAIL_VERIFICATION=off), however old and unverified', async () => {
    const { db } = off.service.deps.database;
    const { email, answer } = await signUp(off.service);
    expect(answer.json().provisioning_status).toBe('active');
    await age(db, email, 400);
    expect(await off.service.deps.unverifiedSweep.sweepOnce()).toBe(0);
    expect(await exists(db, email)).toBe(true);
  });

  it('runs on its own timer once started, and stops', async () => {
    const { db } = required.service.deps.database;
    const { email } = await signUp(required.service);
    await age(db, email, 30);
    const sweep = createUnverifiedAccountSweep({ db, ttlSeconds: 7 * DAY, intervalMs: 50, logger: required.service.deps.logger });
    sweep.start();
    try {
      await expect.poll(() => exists(db, email), { timeout: 10_000 }).toBe(false);
    } finally {
      await sweep.stop();
    }
    expect(required.service.logs.text).toContain('Removed accounts whose email was never verified');
  });
});

describe('the sweep on PostgreSQL with several instances', () => {
  it('is done by one instance at a time: while another holds the lock, a sweep removes nothing', async () => {
    const database = await createPostgresTestDatabase();
    const holder = new pg.Client({ connectionString: database.url });
    try {
      const { db } = database.handle;
      const [user] = await queryRows<{ id: string }>(db, sql`insert into users (email, password_hash, created_at) values (${uniqueEmail('lock')}, 'x', now() - interval '8 days') returning id`);
      await queryRows(db, sql`insert into sip_accounts (user_id, extension, secret_ciphertext, status) values (${user!.id}, '5000', 'x', 'awaiting_verification')`);
      const sweep = createUnverifiedAccountSweep({ db, ttlSeconds: 7 * DAY, logger: createLogger({ level: 'silent' }) });

      await holder.connect();
      await holder.query('begin');
      await holder.query('select pg_advisory_xact_lock(7342012)');
      expect(await sweep.sweepOnce()).toBe(0);
      await holder.query('commit');
      expect(await sweep.sweepOnce()).toBe(1);
    } finally {
      await holder.end().catch(() => {});
      await database.close();
    }
  });
});
