import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Database } from '../../db/database.ts';
import { createRetentionLeaseRepository } from './retention-lease.repository.ts';
import { retentionSweeps, type RetentionPeriods } from './retention-sweeps.ts';

export interface RetentionSettings extends RetentionPeriods {
  /** Minutes between sweeps; 0: never sweep. */
  sweepIntervalMinutes: number;
  /** Rows deleted per statement: each batch is its own short transaction, so no table is held up long. */
  batchSize?: number;
  /** At most this many batches per kind of row and sweep; the rest waits for the next sweep. */
  maxBatches?: number;
  /** A sweeper that died loses the lease after this long; a live one renews it before every batch. */
  leaseMs?: number;
  /** Delay before the first sweep after start (spreads instances started together). */
  firstSweepDelayMs?: number;
  /** Called after each batch (tests use it to hold a sweep half-way). */
  afterBatch?: () => Promise<void>;
}

export interface SweepResult {
  /** False when another instance held the lease: this one deleted nothing. */
  swept: boolean;
  deleted: Record<string, number>;
}

/**
 * Deletes what is past retention (expired links, old finished jobs, stale holes) on a schedule. One
 * instance sweeps at a time across every instance on the database (the lease row), one sweep at a time here.
 */
export function createRetentionSweeper({ db, logger, settings }: { db: Database; logger: Logger; settings: RetentionSettings }) {
  const { batchSize = 1000, maxBatches = 1000, leaseMs = 5 * 60_000, firstSweepDelayMs = 30_000 } = settings;
  const holder = `retention-${randomUUID()}`;
  const lease = createRetentionLeaseRepository({ db });
  const sweeps = retentionSweeps(settings);
  let current: Promise<SweepResult> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = true;
  // Set by stop(): a sweep under way ends after its current batch.
  let halting = false;

  async function sweep(): Promise<SweepResult> {
    const deleted: Record<string, number> = {};
    if (!(await lease.acquire({ holder, leaseMs }))) return { swept: false, deleted };
    let renew = false;
    try {
      for (const { name, deleteBatch } of sweeps) {
        deleted[name] = 0;
        for (let batch = 0; batch < maxBatches && !halting; batch++) {
          // Renewed before each batch: if this process stalled past its lease and another took over, stop.
          if (renew && !(await lease.acquire({ holder, leaseMs }))) return { swept: true, deleted };
          renew = true;
          const count = await deleteBatch(db, batchSize);
          deleted[name] += count;
          await settings.afterBatch?.();
          if (count < batchSize) break;
        }
      }
      return { swept: true, deleted };
    } finally {
      await lease.release({ holder });
    }
  }

  /** One sweep now (a sweep already running here is awaited instead of started twice). */
  function sweepOnce(): Promise<SweepResult> {
    current ??= sweep().finally(() => (current = undefined));
    return current;
  }

  function schedule(delayMs: number): void {
    if (stopped) return;
    timer = setTimeout(() => {
      timer = undefined;
      sweepOnce()
        .then(({ swept, deleted }) => {
          if (swept && Object.values(deleted).some((n) => n > 0)) logger.info({ deleted }, 'Retention sweep deleted rows past retention');
        })
        .catch((error: unknown) => logger.warn({ err: error }, 'Retention sweep failed; trying again at the next interval'))
        .finally(() => schedule(settings.sweepIntervalMinutes * 60_000));
    }, delayMs);
    timer.unref();
  }

  return {
    sweepOnce,
    start(): void {
      if (settings.sweepIntervalMinutes === 0 || !stopped) return;
      stopped = false;
      halting = false;
      schedule(firstSweepDelayMs);
    },
    /** No new sweep starts; one under way finishes its current batch, then releases the lease. */
    async stop(): Promise<void> {
      stopped = true;
      halting = true;
      clearTimeout(timer);
      timer = undefined;
      await current?.catch(() => {});
    },
  };
}

export type RetentionSweeper = ReturnType<typeof createRetentionSweeper>;
