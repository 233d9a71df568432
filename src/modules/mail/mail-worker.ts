import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Database } from '../../db/database.ts';
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
export function createMailWorker({ db, deliver, logger, options = {} }: {
  db: Database;
  deliver: (mail: OutgoingMailRow) => Promise<void>;
  logger: Logger;
  options?: Partial<MailWorkerOptions>;
}) {
  const settings = { ...defaultMailWorkerOptions, ...options };
  const workerId = `mail-${randomUUID()}`;
  const mails = createMailRepository({ db });
  let running = false;
  // A kick while the worker is busy makes it look again at once instead of sleeping.
  const pause = createWakeableSleep({ rememberWake: true });
  let loop: Promise<void> | undefined;

  async function process(mail: OutgoingMailRow): Promise<void> {
    const facts = { mailId: mail.id, template: mail.template, attempt: mail.attempts };
    try {
      await deliver(mail);
    } catch (error) {
      const failure = classifySendError(error);
      if (failure.retryable && mail.attempts < settings.maxAttempts) {
        const delayMs = backoffDelayMs(mail.attempts, settings.backoff);
        if (await mails.retryLater(mail.id, workerId, { delayMs, errorCode: failure.code })) {
          logger.warn({ ...facts, error: failure.code, delayMs }, 'Mail not sent; will retry');
        }
      } else if (await mails.markFailed(mail.id, workerId, failure.code)) {
        logger.error({ ...facts, error: failure.code }, 'Mail failed for good');
      }
      return;
    }
    if (await mails.markSent(mail.id, workerId)) logger.info(facts, 'Mail sent');
  }

  async function runLoop(): Promise<void> {
    while (running) {
      let claimed: OutgoingMailRow[] = [];
      try {
        claimed = await mails.claimDue({ workerId, limit: settings.batchSize, leaseMs: settings.leaseMs });
        await Promise.all(claimed.map(process));
      } catch (error) {
        // A database error: the claimed mails' leases run out and they are taken again. Its code only.
        logger.error({ error: classifySendError(error).code }, 'Mail worker loop error');
      }
      if (!running) break;
      if (claimed.length === settings.batchSize) continue;
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
    },
    /** A mail was queued: look now rather than at the next poll. */
    kick(): void {
      pause.wake();
    },
  };
}

export type MailWorker = ReturnType<typeof createMailWorker>;
