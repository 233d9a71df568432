import { sql, type SQL } from 'drizzle-orm';
import { queryRows, type Queryable } from '../../db/database.ts';

export interface RetentionPeriods {
  /** Finished (done or failed) provisioning jobs are kept this many days after their last change. */
  finishedJobsDays: number;
  /** Provisioning links are kept this many hours after they expired. */
  expiredLinksHours: number;
  /** Entries of the credential access log are kept this many days (ACCESS_LOG_RETENTION_DAYS). */
  accessLogDays: number;
}

/** One kind of row that grows without bound (or holds something back past its time): each call deletes at most `limit` rows past retention. */
export interface RetentionSweep {
  name: string;
  deleteBatch(db: Queryable, limit: number): Promise<number>;
}

async function deleteWhere(db: Queryable, table: string, key: string, pick: SQL): Promise<number> {
  const rows = await queryRows<{ n: number }>(db, sql`
    with gone as (delete from ${sql.identifier(table)} where ${sql.identifier(key)} in (${pick}) returning 1)
    select count(*)::int as n from gone`);
  return rows[0]?.n ?? 0;
}

export function retentionSweeps(periods: RetentionPeriods): RetentionSweep[] {
  return [
    {
      // Dead links: an expired token opens nothing, and every row is a hash that no one needs any more.
      name: 'expired provisioning links',
      deleteBatch: (db, limit) => deleteWhere(db, 'provisioning_links', 'id', sql`
        select id from provisioning_links
        where expires_at < now() - ${periods.expiredLinksHours} * interval '1 hour' limit ${limit}`),
    },
    {
      // An account's latest job stays whatever its age: GET /auth/me shows its attempts and claims order by it.
      name: 'finished provisioning jobs',
      deleteBatch: (db, limit) => deleteWhere(db, 'provisioning_jobs', 'id', sql`
        select j.id from provisioning_jobs j
        where j.state in ('done', 'failed') and j.updated_at < now() - ${periods.finishedJobsDays} * interval '1 day'
          and (j.sip_account_id is null or exists (
            select 1 from provisioning_jobs newer
            where newer.sip_account_id = j.sip_account_id and newer.created_at > j.created_at))
        limit ${limit}`),
    },
    {
      // Mailed-link tokens (hashes), used or not, expired as long ago as dead provisioning links are kept:
      // they open nothing any more (the one-mail-a-minute cooldown looks only at the last minute's tokens).
      name: 'expired email tokens',
      deleteBatch: (db, limit) => deleteWhere(db, 'email_tokens', 'id', sql`
        select id from email_tokens where expires_at < now() - ${periods.expiredLinksHours} * interval '1 hour' limit ${limit}`),
    },
    {
      // Mails sent or given up (their payload is already erased): a job's history, kept as long as finished jobs.
      name: 'finished mails',
      deleteBatch: (db, limit) => deleteWhere(db, 'outgoing_mails', 'id', sql`
        select id from outgoing_mails
        where state in ('sent', 'failed') and updated_at < now() - ${periods.finishedJobsDays} * interval '1 day' limit ${limit}`),
    },
    {
      // A number a user who left gave up is held until EXTENSION_REUSE_AFTER has passed; deleting the hold
      // frees it (the reservation's delete trigger notes the hole the next allocation finds first).
      name: 'numbers held after a user left',
      deleteBatch: (db, limit) => deleteWhere(db, 'reserved_extensions', 'extension', sql`
        select extension from reserved_extensions where reusable_after < now() limit ${limit}`),
    },
    {
      // Who saw the SIP secret, kept ACCESS_LOG_RETENTION_DAYS (the BRIN index on accessed_at finds them).
      name: 'credential access entries past retention',
      deleteBatch: (db, limit) => deleteWhere(db, 'credential_access_log', 'id', sql`
        select id from credential_access_log where accessed_at < now() - ${periods.accessLogDays} * interval '1 day' limit ${limit}`),
    },
    {
      // A user's entries go with the user (a statement trigger on users); a write-behind batch in flight at that
      // moment lands afterwards, so recent entries whose user is gone are removed here.
      name: 'credential access entries of erased users',
      deleteBatch: (db, limit) => deleteWhere(db, 'credential_access_log', 'id', sql`
        select l.id from credential_access_log l where l.accessed_at > now() - interval '2 days'
          and not exists (select 1 from users u where u.id = l.user_id) limit ${limit}`),
    },
    {
      // Freed numbers that were taken again outside allocation (e.g. reserved): allocation would skip them anyway.
      name: 'stale extension holes',
      deleteBatch: (db, limit) => deleteWhere(db, 'extension_holes', 'extension_number', sql`
        select extension_number from extension_holes where extension_is_taken(extension_number) limit ${limit}`),
    },
  ];
}
