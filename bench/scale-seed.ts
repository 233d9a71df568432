/** Fresh databases and bulk-seeded accounts for `npm run bench:scale` (bench/scale.ts). */
import { sql } from 'drizzle-orm';
import type { Database } from '../src/db/database.ts';


/**
 * `count` signed-up users as a long-running service would have them: a user, a live SIP account holding
 * first…first+count-1 (lowest first, as the service allocates) and its finished `create` job, written
 * straight into the database in chunks (bulk INSERT … SELECT from generate_series).
 */
export async function seedAccounts(db: Database, { count, first, passwordHash, sealedSecret }: {
  count: number;
  first: number;
  passwordHash: string;
  sealedSecret: string;
}): Promise<void> {
  const chunk = 100_000;
  for (let from = 1; from <= count; from += chunk) {
    const to = Math.min(count, from + chunk - 1);
    await db.transaction(async (tx) => {
      await tx.execute(sql`insert into users (id, email, password_hash)
        select md5('user-' || n)::uuid, 'seed-' || n || '@example.invalid', ${passwordHash} from generate_series(${from}::int, ${to}::int) n`);
      await tx.execute(sql`insert into sip_accounts (id, user_id, extension, secret_ciphertext, status, activated_at)
        select md5('account-' || n)::uuid, md5('user-' || n)::uuid, (${first - 1}::bigint + n)::text, ${sealedSecret}, 'active', now()
        from generate_series(${from}::int, ${to}::int) n`);
      await tx.execute(sql`insert into provisioning_jobs (sip_account_id, extension, kind, state, attempts)
        select md5('account-' || n)::uuid, (${first - 1}::bigint + n)::text, 'create', 'done', 1
        from generate_series(${from}::int, ${to}::int) n`);
    });
  }
  await db.execute(sql`analyze`);
}
