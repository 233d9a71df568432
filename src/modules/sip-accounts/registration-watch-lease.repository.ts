import { sql } from 'drizzle-orm';
import { queryRows, type Queryable } from '../../db/database.ts';
import { registrationWatchLease } from './registration-watch-lease.table.ts';

export function createRegistrationWatchLeaseRepository({ db }: { db: Queryable }) {
  const lease = registrationWatchLease;
  return {
    /**
     * Takes the lease for a pass when no live holder has it (or `holder` itself does: a release lost with the
     * database) and the last pass began at least `everyMs` ago. One statement, so two instances asking at
     * once cannot both get it.
     */
    async acquire({ holder, leaseMs, everyMs }: { holder: string; leaseMs: number; everyMs: number }): Promise<boolean> {
      const rows = await queryRows<{ id: number }>(db, sql`
        insert into ${lease} (id, holder, expires_at, last_started_at)
        values (1, ${holder}, now() + ${leaseMs} * interval '1 millisecond', now())
        on conflict (id) do update
          set holder = excluded.holder, expires_at = excluded.expires_at, last_started_at = excluded.last_started_at
        where (${lease.holder} is null or ${lease.expiresAt} < now() or ${lease.holder} = excluded.holder)
          and (${lease.lastStartedAt} is null or ${lease.lastStartedAt} <= now() - ${everyMs} * interval '1 millisecond')
        returning id`);
      return rows.length === 1;
    },

    async release({ holder }: { holder: string }): Promise<void> {
      await db.execute(sql`update ${lease} set holder = null, expires_at = null where id = 1 and holder = ${holder}`);
    },
  };
}
