import type { Logger } from 'pino';
import type { Database } from '../../db/database.ts';
import type { WorkerLiveness } from '../../db/worker-liveness.ts';
import type { Locale } from '../../shared/locale.ts';
import { createMailDelivery, mailSender } from './mail-delivery.ts';
import { createMailQueue } from './mail-queue.ts';
import { createMailTransport, type MailTransport } from './mail-transport.ts';
import { createMailWorker, type MailWorkerOptions } from './mail-worker.ts';
import { createMailRenderer } from './render-mail.ts';

export interface MailSettings {
  smtpUrl: string | undefined;
  from: string | undefined;
  outboxDir: string;
  serviceName: string;
  publicBaseUrl: string;
  defaultLocale: Locale;
  encryptionKey: Buffer;
}

/**
 * The mail module as the rest of the service sees it: `enqueue(tx, …)` inside a transaction, `kick()` after
 * the commit, `start()`/`stop()` for the worker. `transport` replaces SMTP or the outbox (tests).
 */
export function createMail({ db, settings, logger, options, transport, liveness }: {
  db: Database;
  settings: MailSettings;
  logger: Logger;
  options?: Partial<MailWorkerOptions>;
  transport?: MailTransport;
  /** Tells a mail worker that died from one that sends (db/worker-liveness.ts). */
  liveness?: WorkerLiveness;
}) {
  const { serviceName, publicBaseUrl, encryptionKey } = settings;
  const sender = transport ?? createMailTransport({ smtpUrl: settings.smtpUrl, outboxDir: settings.outboxDir, logger });
  const deliver = createMailDelivery({
    encryptionKey,
    render: createMailRenderer({ serviceName, publicBaseUrl }),
    transport: sender,
    from: mailSender({ mailFrom: settings.from, serviceName, publicBaseUrl }),
  });
  const worker = createMailWorker({ db, deliver, logger, options, liveness });
  const queue = createMailQueue({ encryptionKey, defaultLocale: settings.defaultLocale, publicBaseUrl, kick: worker.kick });

  return {
    transport: sender.kind,
    /** The worker's name in `outgoing_mails.locked_by`. */
    workerId: worker.workerId,
    enqueue: queue.enqueue,
    kick: queue.kick,
    start: worker.start,
    async stop(): Promise<void> {
      await worker.stop();
      if (!transport) sender.close();
    },
  };
}

export type Mail = ReturnType<typeof createMail>;
