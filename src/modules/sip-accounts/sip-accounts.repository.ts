import { and, eq, notInArray, sql } from 'drizzle-orm';
import { users, type UserRow } from '../users/users.table.ts';
import { queryRows, type Queryable } from '../../db/database.ts';
import { reservedExtensions, sipAccounts, type SipAccountRow, type SipAccountStatus } from './sip-accounts.table.ts';

export function createSipAccountsRepository({ db }: { db: Queryable }) {
  // Built once per repository: GET /sip/credentials runs it on every request, and building the SQL
  // each time costs as much as the round trip on PostgreSQL.
  let userWithAccountQuery: ReturnType<typeof prepareUserWithAccount> | undefined;
  return {
    /**
     * Claims the lowest number in the range that no account holds and no reservation blocks, or undefined
     * when the range is exhausted. Must run inside the transaction that inserts the account: the claim (an
     * advisory lock on that one number) lasts until the transaction ends, while concurrent sign-ups take
     * the next free numbers without waiting. The cost does not grow with how many numbers are taken (see
     * allocate_extension in src/db/migrations and docs/ARCHITECTURE.md).
     */
    async allocateExtension(range: { first: number; last: number }): Promise<string | undefined> {
      const rows = await queryRows<{ extension: string | null }>(
        db,
        sql`select allocate_extension(${range.first}::bigint, ${range.last}::bigint)::text as extension`,
      );
      return rows[0]?.extension ?? undefined;
    },

    /**
     * Moves the range's allocation cursor up to its first free number, walking the numbers taken behind its
     * back (an old database, rows written by hand) now rather than in the first sign-up. Safe beside running
     * sign-ups: every number it passes is committed as taken. Run at start-up; cheap once caught up.
     */
    async catchUpAllocationCursor(range: { first: number; last: number }): Promise<void> {
      await db.execute(sql`
        insert into extension_cursors (range_first, next_candidate)
        select ${range.first}::bigint, free from (select first_free_extension_from(greatest(${range.first}::bigint,
          coalesce((select next_candidate from extension_cursors where range_first = ${range.first}::bigint), ${range.first}::bigint)),
          ${range.last}::bigint) as free) found where free is not null
        on conflict (range_first) do update set next_candidate = greatest(extension_cursors.next_candidate, excluded.next_candidate), updated_at = now()`);
    },

    async insert(account: { userId: string; extension: string; secretCiphertext: string; status?: SipAccountStatus }): Promise<SipAccountRow> {
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

    /**
     * `deleting` is final (the account is erased next), and `disabled` holds until an admin enables the user
     * (account-administration.ts): a job of the account still in flight never undoes either. True when it changed.
     */
    async setStatus(id: string, status: SipAccountStatus, lastError: string | null = null): Promise<boolean> {
      const kept: SipAccountStatus[] = status === 'deleting' ? [] : status === 'disabled' ? ['deleting'] : ['deleting', 'disabled'];
      const rows = await db
        .update(sipAccounts)
        .set({
          status,
          lastError,
          updatedAt: sql`now()`,
          ...(status === 'active' ? { activatedAt: sql`now()` } : {}),
        })
        .where(and(eq(sipAccounts.id, id), kept.length > 0 ? notInArray(sipAccounts.status, kept) : undefined))
        .returning({ id: sipAccounts.id });
      return rows.length > 0;
    },

    /** Notes why the last attempt failed, whatever the status (a removal under way keeps its own). */
    async noteError(id: string, lastError: string): Promise<void> {
      await db.update(sipAccounts).set({ lastError, updatedAt: sql`now()` }).where(eq(sipAccounts.id, id));
    },

    /** awaiting_verification → pending; the account, or undefined when it was not awaiting verification. */
    async leaveAwaitingVerification(userId: string): Promise<SipAccountRow | undefined> {
      const [row] = await db
        .update(sipAccounts)
        .set({ status: 'pending', updatedAt: sql`now()` })
        .where(and(eq(sipAccounts.userId, userId), eq(sipAccounts.status, 'awaiting_verification')))
        .returning();
      return row;
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
export type UserSummary = Pick<UserRow, 'id' | 'email' | 'displayName' | 'isActive' | 'createdAt' | 'emailVerifiedAt' | 'deletionRequestedAt' | 'locale'>;
export type AccountSummary = Pick<SipAccountRow, 'id' | 'extension' | 'secretCiphertext' | 'status' | 'lastError' | 'activatedAt' | 'registeredAt' | 'registeredUserAgent'>;

function prepareUserWithAccount(db: Queryable) {
  return db
    .select({
      user: { id: users.id, email: users.email, displayName: users.displayName, isActive: users.isActive, createdAt: users.createdAt, emailVerifiedAt: users.emailVerifiedAt, deletionRequestedAt: users.deletionRequestedAt, locale: users.locale },
      account: {
        id: sipAccounts.id,
        extension: sipAccounts.extension,
        secretCiphertext: sipAccounts.secretCiphertext,
        status: sipAccounts.status,
        lastError: sipAccounts.lastError,
        activatedAt: sipAccounts.activatedAt,
        registeredAt: sipAccounts.registeredAt,
        registeredUserAgent: sipAccounts.registeredUserAgent,
      },
    })
    .from(users)
    .leftJoin(sipAccounts, eq(sipAccounts.userId, users.id))
    .where(eq(users.id, sql.placeholder('userId')))
    .limit(1)
    .prepare('find_user_with_sip_account');
}
