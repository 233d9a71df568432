import fs from 'node:fs/promises';
import path from 'node:path';
import type { SendMailOptions } from 'nodemailer';
import { lazyRequire } from '../../shared/lazy-require.ts';
import type { Logger } from 'pino';

const nodemailer = lazyRequire<typeof import('nodemailer')>('nodemailer');

/** A message as nodemailer takes it. */
export type OutgoingMessage = SendMailOptions;

export interface MailTransport {
  kind: 'smtp' | 'outbox';
  /** `id` and `createdAt` name the outbox file, so a mail sent again after a crash replaces its own file. */
  send(mail: { id: string; createdAt: Date; message: OutgoingMessage }): Promise<void>;
  close(): void;
}

/**
 * SMTP when SMTP_URL is set (smtp:// upgrades with STARTTLS when the server offers it; smtps:// is TLS from the
 * start), else the outbox: each mail as an RFC 5322 .eml file in DATA_DIR/outbox/, so the whole flow works on
 * a fresh machine and a developer opens the mails with any mail client. Timeouts are bounded so one send
 * always ends well within the worker's lease.
 */
export function createMailTransport({ smtpUrl, outboxDir, logger }: { smtpUrl: string | undefined; outboxDir: string; logger: Logger }): MailTransport {
  if (smtpUrl) {
    // Built on the first mail, so an instance that sends none never loads nodemailer.
    let smtp: ReturnType<ReturnType<typeof nodemailer>['createTransport']> | undefined;
    return {
      kind: 'smtp',
      async send({ message }) {
        smtp ??= nodemailer().createTransport({ url: smtpUrl, connectionTimeout: 15_000, greetingTimeout: 15_000, socketTimeout: 60_000 });
        await smtp.sendMail(message);
      },
      close: () => smtp?.close(),
    };
  }
  logger.warn({ outbox: outboxDir }, 'SMTP_URL is not set: mails are not sent but written as .eml files into the outbox directory');
  return createOutboxTransport(outboxDir);
}

export function createOutboxTransport(outboxDir: string): MailTransport {
  let stream: ReturnType<ReturnType<typeof nodemailer>['createTransport']> | undefined;
  return {
    kind: 'outbox',
    async send({ id, createdAt, message }) {
      stream ??= nodemailer().createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
      const { message: eml } = (await stream.sendMail(message)) as unknown as { message: Buffer };
      // Mails carry single-use tokens: only the service's user may read the outbox.
      await fs.mkdir(outboxDir, { recursive: true, mode: 0o700 });
      // Named by the time the mail was queued, to the millisecond, so the names sort in the order mails were made.
      const file = path.join(outboxDir, `${createdAt.toISOString().replace(/[-:]/g, '')}-${id}.eml`);
      // Written aside, then renamed: a reader never sees half a mail.
      const partial = `${file}.partial`;
      await fs.writeFile(partial, eml, { mode: 0o600 });
      await fs.rename(partial, file);
    },
    close: () => stream?.close(),
  };
}
