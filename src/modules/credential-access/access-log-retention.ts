import { sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Database } from '../../db/database.ts';
import { createCredentialAccessRepository } from './credential-access.repository.ts';

/** Held (per transaction) by the instance sweeping, so instances sharing a database take turns. */
export const SWEEP_LOCK_KEY = 0x61636c67; // 'aclg'
const BATCH = 5_000;

/**
 * Deletes credential access entries older than ACCESS_LOG_RETENTION_DAYS, at start and every `intervalMs`.
 * Each batch runs in a transaction under a try-lock: an instance finding another sweeping leaves it be.
 * Kept apart and self-contained so a shared retention sweeper can take it over as one more task.
 */
export function createAccessLogRetention({ db, retentionDays, logger, intervalMs = 60 * 60_000 }: {
  db: Database;
  retentionDays: number;
  logger: Logger;
  intervalMs?: number;
}) {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | undefined;

  /** One sweep; returns how many entries it deleted (0 when another instance holds the lock). */
  async function sweepOnce(): Promise<number> {
    let total = 0;
    for (let first = true; ; first = false) {
      const deleted = await db.transaction(async (tx) => {
        const [lock] = (await tx.execute(sql`select pg_try_advisory_xact_lock(${SWEEP_LOCK_KEY}) as "locked"`) as unknown as { rows: { locked: boolean }[] }).rows;
        if (!lock?.locked) return 0;
        const repository = createCredentialAccessRepository({ db: tx });
        const orphans = first ? await repository.deleteOrphans() : 0;
        return orphans + (await repository.deleteOlderThan(retentionDays, BATCH));
      });
      total += deleted;
      if (deleted < BATCH) return total;
    }
  }

  const tick = () => {
    running ??= sweepOnce()
      .then((deleted) => {
        if (deleted > 0) logger.info({ deleted, retentionDays }, 'Credential access log: old entries deleted');
        return deleted;
      })
      .catch((error: unknown) => {
        logger.warn({ err: error }, 'Credential access log retention sweep failed; next try at the next interval');
        return 0;
      })
      .finally(() => (running = undefined));
    return running;
  };

  return {
    sweepOnce,
    start(): void {
      if (timer) return;
      void tick();
      timer = setInterval(() => void tick(), intervalMs).unref();
    },
    async stop(): Promise<void> {
      if (timer) clearInterval(timer);
      timer = undefined;
      await running;
    },
  };
}

export type AccessLogRetention = ReturnType<typeof createAccessLogRetention>;
