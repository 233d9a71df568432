import { sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import { queryRows, type Database } from '../../db/database.ts';
import { createPeriodicTask } from '../../shared/periodic-task.ts';

// Any fixed number (the extension allocator uses 7_342_002): one sweeping instance at a time.
const SWEEP_LOCK_KEY = 7_342_012;
const BATCH = 500;

/**
 * Removes accounts whose email was never verified within `ttlSeconds` and whose extension still waits for
 * it (EMAIL_VERIFICATION=required): the user, their held number (freed at once: it never reached the PBX,
 * so no one can have called it), their tokens. An account that is live on the PBX is never touched here, so
 * turning verification on later removes nobody. Runs every `intervalMs` on each instance; the advisory lock
 * lets one at a time do the work. Kept in its own file, with its own timer and lock, to move into a shared
 * retention sweeper later.
 */
export function createUnverifiedAccountSweep({ db, ttlSeconds, intervalMs = 10 * 60_000, logger }: {
  db: Database;
  ttlSeconds: number;
  intervalMs?: number;
  logger: Logger;
}) {
  /** One pass: the number of accounts removed, or 0 when another instance holds the lock. */
  async function sweepOnce(): Promise<number> {
    let removed = 0;
    for (;;) {
      const batch = await db.transaction(async (tx) => {
        const [lock] = await queryRows<{ locked: boolean }>(tx, sql`select pg_try_advisory_xact_lock(${SWEEP_LOCK_KEY}) as locked`);
        if (!lock?.locked) return undefined;
        const candidates = await queryRows<{ id: string }>(tx, sql`
          select u.id from users u join sip_accounts a on a.user_id = u.id
          where u.email_verified_at is null and a.status = 'awaiting_verification'
            and u.created_at < now() - ${ttlSeconds} * interval '1 second'
          limit ${BATCH}`);
        if (candidates.length === 0) return [];
        const ids = sql.join(candidates.map(({ id }) => sql`${id}::uuid`), sql`, `);
        // Tokens first, then the user: the order POST /auth/verify-email locks them in, so the two never
        // deadlock. A verification that commits meanwhile changes the user's row, and PostgreSQL re-checks
        // `email_verified_at is null` on it before deleting: a verified account is never removed.
        await tx.execute(sql`delete from email_tokens where user_id in (${ids})`);
        return queryRows<{ id: string }>(tx, sql`delete from users where id in (${ids}) and email_verified_at is null returning id`);
      });
      if (!batch) return removed;
      removed += batch.length;
      if (batch.length < BATCH) break;
    }
    if (removed > 0) logger.info({ removed }, 'Removed accounts whose email was never verified');
    return removed;
  }

  const task = createPeriodicTask({
    run: sweepOnce,
    intervalMs,
    onError: (error) => logger.warn({ code: (error as { code?: unknown })?.code ?? 'unknown' }, 'Unverified-account sweep failed; will retry'),
  });

  return { sweepOnce, start: task.start, stop: task.stop };
}

export type UnverifiedAccountSweep = ReturnType<typeof createUnverifiedAccountSweep>;
