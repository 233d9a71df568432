import { sql, type SQL } from 'drizzle-orm';
import { queryRows, type Queryable } from '../../db/database.ts';
import type { SipAccountStatus } from '../sip-accounts/sip-accounts.table.ts';
import { startsWith, type UserCursor } from './user-cursor.ts';

export interface AdminUserRow {
  id: string;
  email: string;
  display_name: string | null;
  created_at: Date;
  is_active: boolean;
  deletion_requested_at: Date | null;
  email_verified_at: Date | null;
  locale: string | null;
  /** created_at to the microsecond, in UTC, for the next page's cursor. */
  cursor_at: string;
  sip_account_id: string | null;
  extension: string | null;
  status: SipAccountStatus | null;
  last_error: string | null;
  activated_at: Date | null;
  registered_at: Date | null;
  registered_user_agent: string | null;
}

/** `status=none`: users without a SIP account; `registered`: an active one a phone has registered with (GET /auth/me's `registered`). */
export type StatusFilter = SipAccountStatus | 'none' | 'registered';

/**
 * The account conditions of the listing. `active` is written out, not a parameter, so `status=active&registered=false`
 * is word for word the predicate of the partial index sip_accounts_awaiting_registration_idx, whatever the plan.
 */
function accountConditions(status: StatusFilter | undefined, registered: boolean | undefined): SQL[] {
  const where: SQL[] = [];
  if (status === 'none') where.push(sql`a.id is null`);
  else if (status === 'active' || status === 'registered') where.push(sql`a.status = 'active'`);
  else if (status) where.push(sql`a.status = ${status}`);
  if (status === 'registered' || registered === true) where.push(sql`a.registered_at is not null`);
  if (registered === false) where.push(sql`a.registered_at is null`, sql`a.id is not null`);
  return where;
}

const COLUMNS = sql`u.id, u.email, u.display_name, u.created_at, u.is_active, u.deletion_requested_at, u.email_verified_at, u.locale,
  to_char(u.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as cursor_at,
  a.id as sip_account_id, a.extension, a.status, a.last_error, a.activated_at, a.registered_at, a.registered_user_agent`;

/**
 * The admin's reads of users. The listing is newest first by (created_at, id), walked backward on
 * users_created_at_id_idx with a keyset (`(created_at, id) < cursor`), so page 10,000 costs what page 1 does;
 * a search is a prefix of the email, the display name (both case-insensitive) or the extension, each on a
 * text_pattern_ops index (migration 0011), so it reads only the users that match. The live accounts still
 * waiting for their phone (`status=active&registered=false`) are read off sip_accounts_awaiting_registration_idx
 * and sorted when they are few (migration 0015's statistics tell the planner so), else the time index is walked.
 */
export function createAdminUsersRepository({ db }: { db: Queryable }) {
  return {
    async list({ query, status, registered, limit, after }: {
      query?: string; status?: StatusFilter; registered?: boolean; limit: number; after?: UserCursor;
    }): Promise<AdminUserRow[]> {
      const where: SQL[] = accountConditions(status, registered);
      if (after) where.push(sql`(u.created_at, u.id) < (${after.createdAt}::timestamptz, ${after.id}::uuid)`);
      if (query) {
        const lower = startsWith(query.toLowerCase());
        where.push(sql`u.id in (
          select id from users where lower(email) like ${lower}
          union select id from users where lower(display_name) like ${lower}
          union select user_id from sip_accounts where extension like ${startsWith(query)})`);
      }
      return queryRows<AdminUserRow>(db, sql`
        select ${COLUMNS} from users u left join sip_accounts a on a.user_id = u.id
        ${where.length ? sql`where ${sql.join(where, sql` and `)}` : sql``}
        order by u.created_at desc, u.id desc limit ${limit}`);
    },

    async find(userId: string): Promise<AdminUserRow | undefined> {
      const [row] = await queryRows<AdminUserRow>(db, sql`
        select ${COLUMNS} from users u left join sip_accounts a on a.user_id = u.id where u.id = ${userId}`);
      return row;
    },

    /** The account's latest provisioning jobs, newest first (on the jobs' (sip_account_id, created_at) index). */
    async latestJobs(sipAccountId: string, limit: number) {
      return queryRows<{ id: string; kind: string; state: string; attempts: number; last_error: string | null; created_at: Date; updated_at: Date }>(db, sql`
        select id, kind, state, attempts, last_error, created_at, updated_at from provisioning_jobs
        where sip_account_id = ${sipAccountId} order by created_at desc limit ${limit}`);
    },
  };
}

export type AdminUsersRepository = ReturnType<typeof createAdminUsersRepository>;
