import { sql } from 'drizzle-orm';
import { queryRows, type Queryable } from '../../db/database.ts';
import { provisioningJobs, type JobState } from './jobs.table.ts';

/** The states of a job still on its way; `done` and `failed` are history, not queue. */
export const UNFINISHED_STATES = ['queued', 'running', 'awaiting_apply'] as const satisfies readonly JobState[];
export type UnfinishedState = (typeof UNFINISHED_STATES)[number];

export interface QueueDepth {
  state: UnfinishedState;
  jobs: number;
  /** Seconds since the oldest job in this state was created. */
  oldestAgeSeconds: number;
}

/**
 * The unfinished jobs per state and the age of the oldest, in one query read on the index on `state`: cheap
 * enough to run on every metrics scrape. States without a job are left out.
 */
export function createQueueDepthReader({ db }: { db: Queryable }) {
  return async function readQueueDepth(): Promise<QueueDepth[]> {
    const rows = await queryRows<{ state: UnfinishedState; jobs: number; oldest: number }>(db, sql`
      select state, count(*)::int as jobs, extract(epoch from now() - min(${provisioningJobs.createdAt}))::float8 as oldest
      from ${provisioningJobs}
      where state in ('queued', 'running', 'awaiting_apply')
      group by state`);
    return rows.map((row) => ({ state: row.state, jobs: Number(row.jobs), oldestAgeSeconds: Math.max(0, Number(row.oldest)) }));
  };
}
