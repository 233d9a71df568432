import { backoffDelayMs } from './backoff.ts';

/**
 * When this worker may try the next Apply Config: at once while they succeed, after a growing backoff while
 * they fail (a PBX whose reload keeps failing is not hammered with reloads).
 */
export function createApplySchedule({ backoff, now = Date.now, random = Math.random }: {
  backoff: { baseMs: number; maxMs: number };
  now?: () => number;
  random?: () => number;
}) {
  let failures = 0;
  let notBefore = 0;
  return {
    isDue: () => now() >= notBefore,
    succeeded(): void {
      failures = 0;
      notBefore = 0;
    },
    /** Returns how many applies in a row have failed. */
    failed(): number {
      failures += 1;
      notBefore = now() + backoffDelayMs(failures, backoff, random);
      return failures;
    },
  };
}
