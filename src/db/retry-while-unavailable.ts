import { isDatabaseUnavailable } from './connection-errors.ts';

/**
 * Runs `work` again while it fails because the database is unreachable (backing off up to `maxDelayMs`), as
 * long as `keepTrying()` holds; any other failure, or the last one, is thrown. Only for work that is safe to
 * repeat: a transaction that may or may not have committed before its connection dropped.
 */
export async function retryWhileDatabaseUnavailable<T>(work: () => Promise<T>, { keepTrying, maxDelayMs = 2_000 }: {
  keepTrying: () => boolean;
  maxDelayMs?: number;
}): Promise<T> {
  for (let delayMs = 100; ; delayMs = Math.min(delayMs * 2, maxDelayMs)) {
    try {
      return await work();
    } catch (error) {
      if (!isDatabaseUnavailable(error) || !keepTrying()) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, delayMs));
  }
}
