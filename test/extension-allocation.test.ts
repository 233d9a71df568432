import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { queryRows, type Queryable } from '../src/db/database.ts';
import { createSipAccountsRepository } from '../src/modules/sip-accounts/sip-accounts.repository.ts';
import { createTestDatabase, testDatabaseEngine, type TestDatabase } from './support/test-database.ts';

// Allocation straight on the repository and the database: each test uses its own range of one shared database.
let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.close();
});

const db = () => database.handle.db;

/** What a sign-up does: a user, then its number and account, in one transaction. */
async function signUp(range: { first: number; last: number }, tx: Queryable = db()): Promise<string | undefined> {
  const repository = createSipAccountsRepository({ db: tx });
  const userId = randomUUID();
  await tx.execute(sql`insert into users (id, email, password_hash) values (${userId}, ${`${userId}@example.com`}, 'x')`);
  const extension = await repository.allocateExtension(range);
  if (extension) await repository.insert({ userId, extension, secretCiphertext: 'sealed' });
  return extension;
}
const inTransaction = (range: { first: number; last: number }) => db().transaction((tx) => signUp(range, tx));

/** `count` accounts holding first…first+count-1, written in bulk like an old database with many sign-ups. */
async function seedTaken(first: number, count: number): Promise<void> {
  await db().execute(sql`insert into users (id, email, password_hash)
    select md5(${`seed-${first}-`} || n)::uuid, ${`seed-${first}-`} || n || '@example.com', 'x' from generate_series(1, ${count}) n`);
  await db().execute(sql`insert into sip_accounts (user_id, extension, secret_ciphertext, status)
    select md5(${`seed-${first}-`} || n)::uuid, (${first - 1} + n)::text, 'sealed', 'active' from generate_series(1, ${count}) n`);
}

describe('extension allocation', () => {
  it('hands out the lowest free number first, skipping reserved numbers, and nothing once the range is used up', async () => {
    const range = { first: 5000, last: 5005 };
    await db().execute(sql`insert into reserved_extensions (extension, reason) values ('5001', 'kept back'), ('5003', 'kept back')`);
    const got = [await signUp(range), await signUp(range), await signUp(range), await signUp(range)];
    expect(got).toEqual(['5000', '5002', '5004', '5005']);
    expect(await signUp(range)).toBeUndefined();
  });

  it('gives a number back to the next sign-up when its account is deleted, even far below the highest number', async () => {
    const range = { first: 6000, last: 6999 };
    const got = await Promise.all(Array.from({ length: 10 }, () => inTransaction(range)));
    expect(got.map(Number).sort()).toEqual(Array.from({ length: 10 }, (_, i) => 6000 + i));
    await db().execute(sql`delete from users where id = (select user_id from sip_accounts where extension = '6003')`);
    expect(await inTransaction(range)).toBe('6003');
    expect(await inTransaction(range)).toBe('6010');
  });

  it('leaves the number of a sign-up that rolled back to the next one', async () => {
    const range = { first: 7000, last: 7999 };
    expect(await inTransaction(range)).toBe('7000');
    const rolledBack = db().transaction(async (tx) => {
      expect(await signUp(range, tx)).toBe('7001');
      throw new Error('the sign-up fails after its number was allocated');
    });
    await expect(rolledBack).rejects.toThrow(/sign-up fails/);
    expect(await inTransaction(range)).toBe('7001');
  });

  it('gives 100 concurrent sign-ups 100 distinct numbers, exactly the lowest 100 of the range', async () => {
    const range = { first: 8000, last: 8999 };
    const got = await Promise.all(Array.from({ length: 100 }, () => inTransaction(range)));
    expect(new Set(got).size).toBe(100);
    expect(got.map(Number).sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => 8000 + i));
  });

  it('keeps an allocation cheap with 50,000 numbers taken in a range of 1.9 million', async () => {
    const range = { first: 100_000, last: 1_999_999 };
    await seedTaken(range.first, 50_000);
    // What start-up does: the numbers taken behind the cursor's back are walked once, there.
    await createSipAccountsRepository({ db: db() }).catchUpAllocationCursor(range);
    const cursor = await queryRows<{ next: string }>(db(), sql`select next_candidate::text as next from extension_cursors where range_first = ${range.first}`);
    expect(cursor).toEqual([{ next: '150000' }]);
    const started = performance.now();
    const got: (string | undefined)[] = [];
    for (let i = 0; i < 20; i++) got.push(await inTransaction(range));
    const meanMs = (performance.now() - started) / 20;
    expect(got).toEqual(Array.from({ length: 20 }, (_, i) => String(150_000 + i)));
    // A whole sign-up transaction, ~1 ms on a quiet machine; the range scan of the design before took over
    // a second here (the bound leaves room for a loaded machine).
    expect(meanMs).toBeLessThan(100);
  });
});

// PGlite runs one transaction at a time, so this case exists only on PostgreSQL: it is defined (not skipped)
// in the PostgreSQL pass of CI, which must report no skipped test.
if (testDatabaseEngine === 'postgres') describe('extension allocation on PostgreSQL (concurrent transactions)', () => {
  it('lets a sign-up allocate and commit while another sign-up holds its number uncommitted', async () => {
    const range = { first: 9000, last: 9999 };
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let first: string | undefined;
    const slow = db().transaction(async (tx) => {
      first = await signUp(range, tx);
      await held; // Still open: its number is claimed, not committed.
    });
    while (!first) await new Promise((resolve) => setTimeout(resolve, 5));
    const second = await Promise.race([
      inTransaction(range),
      new Promise((resolve) => setTimeout(() => resolve('waited for the other transaction'), 2_000)),
    ]);
    release();
    await slow;
    expect([first, second]).toEqual(['9000', '9001']);
    const rows = await queryRows<{ extension: string }>(db(), sql`select extension from sip_accounts where extension like '9%' and length(extension) = 4 order by 1`);
    expect(rows.map((row) => row.extension)).toEqual(['9000', '9001']);
  });
});
