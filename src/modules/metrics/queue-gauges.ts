import type { Logger } from 'pino';
import { Gauge, type Registry } from 'prom-client';
import { UNFINISHED_STATES, type QueueDepth } from '../provisioning-jobs/queue-depth.ts';

/**
 * Queue depth and the age of the oldest job per state, read from the database when scraped (not kept up to
 * date on every job change, which would cost the worker and be wrong across instances: every instance reads
 * the same shared queue). Both gauges share one query per scrape.
 */
export function registerQueueGauges({ prefix, registers, readQueueDepth, logger }: {
  prefix: string;
  registers: Registry[];
  readQueueDepth: () => Promise<QueueDepth[]>;
  logger: Logger;
}): void {
  let last: { rows: Promise<QueueDepth[]>; settledAt?: number } | undefined;
  // Both gauges are collected one after the other in the same scrape: the second reuses the first's
  // answer (in flight, or settled less than a second ago).
  const snapshot = (): Promise<QueueDepth[]> => {
    if (!last || (last.settledAt !== undefined && performance.now() - last.settledAt > 1000)) {
      const entry: typeof last = { rows: readQueueDepth() };
      entry.rows.then(
        () => (entry.settledAt = performance.now()),
        () => (entry.settledAt = performance.now()),
      );
      last = entry;
    }
    return last.rows;
  };

  async function collectInto(gauge: Gauge<'state'>, value: (row: QueueDepth) => number): Promise<void> {
    gauge.reset();
    let rows: QueueDepth[];
    try {
      rows = await snapshot();
    } catch (error) {
      // No series rather than a wrong 0, and the rest of the scrape still answers.
      logger.warn({ err: error }, 'Metrics: could not read the provisioning queue');
      return;
    }
    for (const state of UNFINISHED_STATES) gauge.set({ state }, 0);
    for (const row of rows) gauge.set({ state: row.state }, value(row));
  }

  new Gauge({
    name: `${prefix}provisioning_queue_jobs`,
    help: 'Unfinished provisioning jobs (shared by every instance) by state.',
    labelNames: ['state'],
    registers,
    async collect() {
      await collectInto(this, (row) => row.jobs);
    },
  });
  new Gauge({
    name: `${prefix}provisioning_queue_oldest_job_age_seconds`,
    help: 'Age of the oldest unfinished provisioning job by state (0 when there is none).',
    labelNames: ['state'],
    registers,
    async collect() {
      await collectInto(this, (row) => row.oldestAgeSeconds);
    },
  });
}
