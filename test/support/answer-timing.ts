import { sql } from 'drizzle-orm';
import { expect } from 'vitest';
import { queryRows } from '../../src/db/database.ts';
import type { TestService } from './test-service.ts';

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/**
 * Times the answers to `send` for known and unknown emails, alternately, each on a quiet service: the work a
 * known email starts in the background (and the mail it queues) has finished before the next request, so
 * each time is that request's own answer. Returns the median of each, in milliseconds.
 *
 * `ratio` compares them: how many times slower the slower one is, counting anything under 1 ms as 1 ms (a
 * loaded machine's noise is bigger than that).
 */
export async function answerTimes(service: TestService, send: (email: string) => Promise<unknown>, { known, unknown, rounds = 40 }: {
  known: string[];
  unknown: () => string;
  rounds?: number;
}): Promise<{ known: number; unknown: number }> {
  const quiet = async () => {
    await service.deps.offRequestPath.idle();
    await expect
      .poll(async () => (await queryRows<{ n: number }>(service.deps.database.db, sql`select count(*)::int as n from outgoing_mails where state in ('queued', 'sending')`))[0]!.n, { timeout: 15_000 })
      .toBe(0);
  };
  const timed = async (email: string) => {
    await quiet();
    const started = process.hrtime.bigint();
    await send(email);
    return Number(process.hrtime.bigint() - started) / 1e6;
  };
  // Warm-up (JIT, prepared statements), not counted.
  for (let round = 0; round < 3; round++) {
    await timed(known[0]!);
    await timed(unknown());
  }
  const knownTimes: number[] = [];
  const unknownTimes: number[] = [];
  for (let round = 0; round < rounds; round++) {
    knownTimes.push(await timed(known[round % known.length]!));
    unknownTimes.push(await timed(unknown()));
  }
  await quiet();
  if (process.env.TIMING_DEBUG) console.log(JSON.stringify({ knownTimes, unknownTimes }));
  return { known: median(knownTimes), unknown: median(unknownTimes) };
}

export const ratio = ({ known, unknown }: { known: number; unknown: number }) => Math.max(known, unknown, 1) / Math.max(Math.min(known, unknown), 1);

