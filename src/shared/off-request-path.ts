import type { Logger } from 'pino';
import pLimit from 'p-limit';

/**
 * Work a request starts but does not wait for, so its answer (bytes and timing) cannot depend on what the
 * work finds: "is this email registered?" stays unanswerable. At most `concurrency` jobs run at once and at
 * most `maxPending` wait; beyond that new work is dropped (logged), so a flood costs bounded memory. A job that
 * fails is logged by its error's code only: its message may quote a query's parameters (an email).
 */
export function createOffRequestPath({ logger, concurrency = 2, maxPending = 1000 }: { logger: Logger; concurrency?: number; maxPending?: number }) {
  const limit = pLimit(concurrency);
  const running = new Set<Promise<void>>();
  let closed = false;

  return {
    run(what: string, job: () => Promise<void>): void {
      if (closed) return;
      if (limit.pendingCount >= maxPending) {
        logger.warn({ what }, 'Too much background work queued; this request is dropped');
        return;
      }
      const done: Promise<void> = limit(job)
        .catch((error: unknown) => {
          const { code = undefined, cause = undefined } = (error ?? {}) as { code?: unknown; cause?: { code?: unknown } };
          const errorCode = typeof code === 'string' ? code : cause?.code;
          logger.error({ what, code: typeof errorCode === 'string' ? errorCode : 'unknown' }, 'Background work failed');
        })
        .finally(() => running.delete(done));
      running.add(done);
    },

    /** Resolves once everything started so far has finished (tests; shutdown). */
    async idle(): Promise<void> {
      while (running.size > 0) await Promise.all([...running]);
    },

    /** Takes no more work and waits for the work in hand. */
    async close(): Promise<void> {
      closed = true;
      await this.idle();
    },
  };
}

export type OffRequestPath = ReturnType<typeof createOffRequestPath>;
