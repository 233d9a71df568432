import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerError } from 'smtp-server';
import { expect } from 'vitest';

export const SMTP_USER = 'mailer';
export const SMTP_PASSWORD = 'smtp-test-password-4711';

/** Where a scripted failure answers: at the greeting (421, the server closes), or to RCPT TO / DATA. */
export type SmtpFailure = { at: 'connect' | 'rcpt' | 'data'; code: number; message?: string };

export interface ReceivedMail {
  from: string;
  to: string[];
  raw: Buffer;
  parsed: ParsedMail;
}

/**
 * A real SMTP server (the smtp-server package) on 127.0.0.1, speaking SMTP over TCP, with AUTH PLAIN/LOGIN
 * required. `failures[n]` scripts the answer to the n-th connection (0-based); later ones succeed. STARTTLS is
 * not offered: its certificate would be self-signed, and the transport is not what these tests prove.
 */
export async function startSmtpServer({ failures = [] as (SmtpFailure | undefined)[] } = {}) {
  const received: ReceivedMail[] = [];
  let connections = 0;
  const failure = (at: SmtpFailure['at'], connection: number): SMTPServerError | null => {
    const scripted = failures[connection];
    if (scripted?.at !== at) return null;
    return Object.assign(new Error(scripted.message ?? 'Try again later'), { responseCode: scripted.code });
  };

  const server = new SMTPServer({
    logger: false,
    disableReverseLookup: true, // no DNS: traffic stays on 127.0.0.1
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authMethods: ['PLAIN', 'LOGIN'],
    onConnect(session, callback) {
      (session as { connection?: number }).connection = connections++;
      callback(failure('connect', (session as { connection?: number }).connection!));
    },
    onAuth(auth, _session, callback) {
      if (auth.username === SMTP_USER && auth.password === SMTP_PASSWORD) callback(null, { user: auth.username });
      else callback(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
    },
    onRcptTo(_address, session, callback) {
      callback(failure('rcpt', (session as { connection?: number }).connection!));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const refused = failure('data', (session as { connection?: number }).connection!);
        if (refused) return callback(refused);
        const raw = Buffer.concat(chunks);
        void simpleParser(raw).then((parsed) => {
          received.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
            raw,
            parsed,
          });
          callback(null);
        }, callback);
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;

  return {
    port,
    /** SMTP_URL for the service, credentials included. */
    url: `smtp://${SMTP_USER}:${SMTP_PASSWORD}@127.0.0.1:${port}`,
    received,
    get connections() {
      return connections;
    },
    /** Waits until `count` mails have arrived. */
    async waitForMails(count: number, timeout = 15_000): Promise<ReceivedMail[]> {
      await expect.poll(() => received.length, { timeout, interval: 20 }).toBeGreaterThanOrEqual(count);
      return received;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export type TestSmtpServer = Awaited<ReturnType<typeof startSmtpServer>>;
