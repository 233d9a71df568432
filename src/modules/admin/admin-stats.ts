import { sql } from 'drizzle-orm';
import { queryRows, type Queryable } from '../../db/database.ts';
import { createQueueDepthReader } from '../provisioning-jobs/queue-depth.ts';

const iso = (value: Date | string | null): string | null => (value === null ? null : new Date(value).toISOString());

/**
 * GET /admin/stats: users and accounts by status (the status count reads sip_accounts_status_idx), sign-ups
 * per UTC day of the last 30 (a range of users_created_at_id_idx), the provisioning queue and the last Apply
 * Config (the single row of pbx_apply_lease).
 */
export function createAdminStats({ db }: { db: Queryable }) {
  const readQueueDepth = createQueueDepthReader({ db });
  return async function readStats() {
    const [users] = await queryRows<{ total: number; disabled: number; without_account: number }>(db, sql`
      select count(*)::int as total, (count(*) filter (where not is_active))::int as disabled,
        (select count(*)::int from users u where not exists (select 1 from sip_accounts a where a.user_id = u.id)) as without_account
      from users`);
    const statuses = await queryRows<{ status: string; n: number }>(db, sql`select status, count(*)::int as n from sip_accounts group by status`);
    const days = await queryRows<{ day: string; n: number }>(db, sql`
      select to_char(date_trunc('day', created_at at time zone 'UTC'), 'YYYY-MM-DD') as day, count(*)::int as n from users
      where created_at >= date_trunc('day', now() at time zone 'UTC') at time zone 'UTC' - interval '29 days'
      group by 1 order by 1`);
    const [apply] = await queryRows<{ last_started_at: Date | null; last_finished_at: Date | null; last_error: string | null }>(db, sql`
      select last_started_at, last_finished_at, last_error from pbx_apply_lease limit 1`);
    const queue = await readQueueDepth();
    return {
      users: { total: Number(users?.total ?? 0), disabled: Number(users?.disabled ?? 0), without_account: Number(users?.without_account ?? 0) },
      accounts_by_status: Object.fromEntries(statuses.map((row) => [row.status, Number(row.n)])),
      sign_ups_per_day: days.map((row) => ({ day: row.day, count: Number(row.n) })),
      queue: Object.fromEntries(queue.map((row) => [row.state, { jobs: row.jobs, oldest_age_seconds: Math.round(row.oldestAgeSeconds) }])),
      last_apply_config: {
        started_at: iso(apply?.last_started_at ?? null),
        finished_at: iso(apply?.last_finished_at ?? null),
        error: apply?.last_error ?? null,
      },
    };
  };
}
