import { and, eq, ne, sql } from 'drizzle-orm';
import { users, type UserRow } from '../users/users.table.ts';
import { queryRows, type Queryable } from '../../db/database.ts';
import { reservedExtensions, sipAccounts, type SipAccountRow, type SipAccountStatus } from './sip-accounts.table.ts';

// Any fixed number: serialises extension allocation across every connection and instance for the
// length of one short transaction, so hundreds of concurrent sign-ups never race for the same number.
const ALLOCATION_LOCK_KEY = 7_342_002;

export function createSipAccountsRepository({ db }: { db: Queryable }) {
  // Built once per repository: GET /sip/credentials runs it on every request, and building the SQL
  // each time costs as much as the round trip on PostgreSQL.
  let userWithAccountQuery: ReturnType<typeof prepareUserWithAccount> | undefined;
  return {
    /**
     * The lowest number in the range that no account holds and no reservation blocks, or undefined when the
     * range is exhausted. Must run inside the transaction that inserts the account: the advisory lock is
     * held until that transaction ends.
     */
    async allocateExtension(range: { first: number; last: number }): Promise<string | undefined> {
      await db.execute(sql`select pg_advisory_xact_lock(${ALLOCATION_LOCK_KEY})`);
      const rows = await queryRows<{ extension: string }>(db, sql`
        select n::text as extension from generate_series(${range.first}::bigint, ${range.last}::bigint) as n
        where not exists (select 1 from ${sipAccounts} where ${sipAccounts.extension} = n::text)
          and not exists (select 1 from ${reservedExtensions} where ${reservedExtensions.extension} = n::text
            and (${reservedExtensions.reusableAfter} is null or ${reservedExtensions.reusableAfter} > now()))
        order by n limit 1`);
      return rows[0]?.extension;
    },

    async insert(account: { userId: string; extension: string; secretCiphertext: string }): Promise<SipAccountRow> {
      const [row] = await db.insert(sipAccounts).values(account).returning();
      return row!;
    },

    /**
     * The user with their account (if any) in one round trip: GET /sip/credentials is the hot path, and a
     * second query there halves its throughput.
     */
    async findUserWithAccount(userId: string): Promise<{ user: UserSummary; account: AccountSummary | undefined } | undefined> {
      userWithAccountQuery ??= prepareUserWithAccount(db);
      const [row] = await userWithAccountQuery.execute({ userId });
      return row ? { user: row.user, account: row.account ?? undefined } : undefined;
    },

    async findByUserId(userId: string): Promise<SipAccountRow | undefined> {
      const [row] = await db.select().from(sipAccounts).where(eq(sipAccounts.userId, userId)).limit(1);
      return row;
    },

    async findById(id: string): Promise<SipAccountRow | undefined> {
      const [row] = await db.select().from(sipAccounts).where(eq(sipAccounts.id, id)).limit(1);
      return row;
    },

    /** `deleting` is final (the account is erased next): a job of the account still in flight never undoes it. */
    async setStatus(id: string, status: SipAccountStatus, lastError: string | null = null): Promise<void> {
      await db
        .update(sipAccounts)
        .set({
          status,
          lastError,
          updatedAt: sql`now()`,
          ...(status === 'active' ? { activatedAt: sql`now()` } : {}),
        })
        .where(and(eq(sipAccounts.id, id), status === 'deleting' ? undefined : ne(sipAccounts.status, 'deleting')));
    },

    async changeExtension(id: string, extension: string): Promise<void> {
      await db.update(sipAccounts).set({ extension, updatedAt: sql`now()` }).where(eq(sipAccounts.id, id));
    },

    async reserveExtension(extension: string, reason: string): Promise<void> {
      await db.insert(reservedExtensions).values({ extension, reason }).onConflictDoNothing();
    },

    /** Keeps a freed number back until `seconds` from now; a reservation for ever stays one. */
    async reserveExtensionFor(extension: string, reason: string, seconds: number): Promise<void> {
      const reusableAfter = sql`now() + ${seconds} * interval '1 second'`;
      await db
        .insert(reservedExtensions)
        .values({ extension, reason, reusableAfter })
        .onConflictDoUpdate({
          target: reservedExtensions.extension,
          set: { reason, reusableAfter, createdAt: sql`now()` },
          setWhere: sql`${reservedExtensions.reusableAfter} is not null`,
        });
    },
  };
}

export type SipAccountsRepository = ReturnType<typeof createSipAccountsRepository>;

/** Only what /sip/credentials and /auth/me show: every column less to parse counts on the hot path. */
export type UserSummary = Pick<UserRow, 'id' | 'email' | 'displayName' | 'isActive' | 'createdAt' | 'deletionRequestedAt'>;
export type AccountSummary = Pick<SipAccountRow, 'id' | 'extension' | 'secretCiphertext' | 'status' | 'lastError' | 'activatedAt'>;

function prepareUserWithAccount(db: Queryable) {
  return db
    .select({
      user: { id: users.id, email: users.email, displayName: users.displayName, isActive: users.isActive, createdAt: users.createdAt, deletionRequestedAt: users.deletionRequestedAt },
      account: {
        id: sipAccounts.id,
        extension: sipAccounts.extension,
        secretCiphertext: sipAccounts.secretCiphertext,
        status: sipAccounts.status,
        lastError: sipAccounts.lastError,
        activatedAt: sipAccounts.activatedAt,
      },
    })
    .from(users)
    .leftJoin(sipAccounts, eq(sipAccounts.userId, users.id))
    .where(eq(users.id, sql.placeholder('userId')))
    .limit(1)
    .prepare('find_user_with_sip_account');
}
