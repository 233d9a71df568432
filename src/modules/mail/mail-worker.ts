import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Database } from '../../db/database.ts';
import { retryWhileDatabaseUnavailable } from '../../db/retry-while-unavailable.ts';
import { createWorkerLiveness, type WorkerLiveness } from '../../db/worker-liveness.ts';
import { backoffDelayMs } from '../../shared/backoff.ts';
import { createWakeableSleep } from '../../shared/wakeable-sleep.ts';
import { createMailRepository } from './mail.repository.ts';
import type { OutgoingMailRow } from './mail.table.ts';
import { classifySendError } from './send-errors.ts';

export interface MailWorkerOptions {
  pollIntervalMs: number;
  /** A mail whose worker stopped (killed) is taken over after this long; one send is bounded well below it. */
  leaseMs: number;
  batchSize: number;
  maxAttempts: number;
  backoff: { baseMs: number; maxMs: number };
}

/**
 * 30 attempts, 10 s doubling to 30 min apart (with jitter): an SMTP server may stay down for 6 to 11 hours
 * before a mail fails for good. Past that, a link in it (30 min to 24 h) would most likely have expired anyway.
 */
export const defaultMailWorkerOptions: MailWorkerOptions = {
  pollIntervalMs: 1000,
  leaseMs: 5 * 60_000,
  batchSize: 8,
  maxAttempts: 30,
  backoff: { baseMs: 10_000, maxMs: 30 * 60_000 },
};

/**
 * Sends queued mails: claims due rows (FOR UPDATE SKIP LOCKED, so instances share the queue), delivers each,
 * and records sent (payload erased), a retry after an exponential backoff, or failed for good. Log lines name
 * the mail id, template, attempt and error code only: never an address, a body or a token.
 */
export function createMailWorker({ db, deliver, logger, options = {}, liveness = createWorkerLiveness() }: {
  db: Database;
  deliver: (mail: OutgoingMailRow) => Promise<void>;
  logger: Logger;
  options?: Partial<MailWorkerOptions>;
  /** How a worker that died is known at once (db/worker-liveness.ts); without it, only by its lease running out. */
  liveness?: WorkerLiveness;
}) {
  const settings = { ...defaultMailWorkerOptions, ...options };
  const workerId = `mail-${randomUUID()}`;
  const mails = createMailRepository({ db });
  let running = false;
  // A kick while the worker is busy makes it look again at once instead of sleeping.
  const pause = createWakeableSleep({ rememberWake: true });
  let loop: Promise<void> | undefined;
  let alive = false;
  // An outcome is recorded even across a database outage: a mail delivered but not marked sent would be sent again.
  const record = (write: () => Promise<boolean>) => retryWhileDatabaseUnavailable(write, { keepTrying: () => running });

  async function process(mail: OutgoingMailRow): Promise<void> {
    const facts = { mailId: mail.id, template: mail.template, attempt: mail.attempts };
    try {
      await deliver(mail);
    } catch (error) {
      const failure = classifySendError(error);
      if (failure.retryable && mail.attempts < settings.maxAttempts) {
        const delayMs = backoffDelayMs(mail.attempts, settings.backoff);
        if (await record(() => mails.retryLater(mail.id, workerId, { delayMs, errorCode: failure.code }))) {
          logger.warn({ ...facts, error: failure.code, delayMs }, 'Mail not sent; will retry');
        }
      } else if (await record(() => mails.markFailed(mail.id, workerId, failure.code))) {
        logger.error({ ...facts, error: failure.code }, 'Mail failed for good');
      }
      return;
    }
    if (await record(() => mails.markSent(mail.id, workerId))) logger.info(facts, 'Mail sent');
  }

  async function runLoop(): Promise<void> {
    while (running) {
      let claimed: OutgoingMailRow[] = [];
      let full = false;
      try {
        // Seen alive before the first claim, or another instance would take this worker's mails as a dead one's.
        if (!alive) {
          await liveness.start(workerId);
          alive = true;
        }
        claimed = await mails.claimDue({ workerId, limit: settings.batchSize, leaseMs: settings.leaseMs, holderIsDead: liveness.isDead });
        // Every mail of the batch ends before the next claim: a claim then finds none of this worker's in flight.
        const failure = (await Promise.allSettled(claimed.map(process))).find((outcome) => outcome.status === 'rejected');
        if (failure) throw failure.reason;
        full = claimed.length === settings.batchSize;
      } catch (error) {
        // A database error: the mails stay claimed by this worker and are taken again at its next round. Its code only.
        logger.error({ error: classifySendError(error).code }, 'Mail worker loop error');
      }
      if (!running) break;
      // A full batch: more may be due. After a failure, a pause: the same mails, still claimed, would come back at once.
      if (full) continue;
      await pause.sleep(settings.pollIntervalMs);
    }
  }

  return {
    workerId,
    start(): void {
      if (running) return;
      running = true;
      loop = runLoop();
    },
    /** Finishes the mails in hand, then stops; the rest stay queued for the next start. */
    async stop(): Promise<void> {
      running = false;
      pause.wake();
      await loop;
      if (alive) await liveness.stop(workerId).catch(() => {});
      alive = false;
    },
    /** A mail was queued: look now rather than at the next poll. */
    kick(): void {
      pause.wake();
    },
  };
}

export type MailWorker = ReturnType<typeof createMailWorker>;
