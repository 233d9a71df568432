import { sql } from 'drizzle-orm';
import { queryRows, type Queryable } from '../../db/database.ts';
import { retentionLease } from './retention-lease.table.ts';

/** The sweep's lease: one instance sweeps at a time across every instance on one database. */
export function createRetentionLeaseRepository({ db }: { db: Queryable }) {
  return {
    /**
     * Takes the lease, or keeps it for another `leaseMs` when `holder` has it already; false while another
     * live holder has it. One statement, so two instances asking at once cannot both get it.
     */
    async acquire({ holder, leaseMs }: { holder: string; leaseMs: number }): Promise<boolean> {
      const rows = await queryRows<{ id: number }>(db, sql`
        insert into ${retentionLease} (id, holder, expires_at) values (1, ${holder}, now() + ${leaseMs} * interval '1 millisecond')
        on conflict (id) do update set holder = excluded.holder, expires_at = excluded.expires_at
        where ${retentionLease.holder} is null or ${retentionLease.expiresAt} < now() or ${retentionLease.holder} = excluded.holder
        returning id`);
      return rows.length === 1;
    },

    async release({ holder }: { holder: string }): Promise<void> {
      await db.execute(sql`
        update ${retentionLease} set holder = null, expires_at = null, last_finished_at = now()
        where id = 1 and holder = ${holder}`);
    },
  };
}
