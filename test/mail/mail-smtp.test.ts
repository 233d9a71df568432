import { sql } from 'drizzle-orm';
import { afterEach, beforeAll, afterAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/db/database.ts';
import { generateToken } from '../../src/shared/crypto.ts';
import { mailRow } from '../support/mail-rows.ts';
import { SMTP_PASSWORD, startSmtpServer, type SmtpFailure, type TestSmtpServer } from '../support/smtp-server.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { createTestService, uniqueEmail, type TestService } from '../support/test-service.ts';

const BASE = 'https://voip.example.com';
/** The machine may be busy: a poll waits this long before a test fails. */
const EVENTUALLY = { timeout: 15_000 };
let database: TestDatabase;
/** What each test started, stopped after it: one mail worker at a time on this file's database. */
let opened: { services: TestService[]; servers: TestSmtpServer[] } = { services: [], servers: [] };

beforeAll(async () => {
  database = await createTestDatabase();
});
afterEach(async () => {
  for (const service of opened.services) await service.close();
  for (const server of opened.servers) await server.close();
  opened = { services: [], servers: [] };
});
afterAll(async () => {
  await database?.close();
});

async function smtp(failures: (SmtpFailure | undefined)[] = []) {
  const server = await startSmtpServer({ failures });
  opened.servers.push(server);
  return server;
}

async function service(smtpUrl: string, { maxAttempts = 20 } = {}) {
  const started = await createTestService({
    database: database.handle,
    env: { SMTP_URL: smtpUrl, MAIL_FROM: 'Acme Voice <noreply@acme.example>', PUBLIC_BASE_URL: BASE, SERVICE_NAME: 'Acme Voice', LOG_LEVEL: 'trace' },
    overrides: { mailWorkerOptions: { pollIntervalMs: 50, backoff: { baseMs: 20, maxMs: 100 }, maxAttempts } },
  });
  opened.services.push(started);
  return started;
}

/** A reset-password mail queued inside a transaction that also inserts a user: the change that causes it. */
async function resetMailFor(target: TestService, email = uniqueEmail('smtp')) {
  const token = generateToken();
  const url = `${BASE}/auth/reset-password?token=${token}`;
  const { db } = target.deps.database;
  const id = await db.transaction(async (tx) => {
    await queryRows(tx, sql`insert into users (email, password_hash) values (${email}, 'not-a-real-hash')`);
    return target.deps.mail.enqueue(tx, { to: email, template: 'reset-password', locale: 'en', params: { url, validForMinutes: 30 } });
  });
  target.deps.mail.kick();
  return { id, email, token, url };
}

const userExists = async (email: string) =>
  (await queryRows<{ n: number }>(database.handle.db, sql`select count(*)::int as n from users where email = ${email}`))[0]!.n === 1;

describe('mail through a real SMTP server (smtp-server over TCP, AUTH required)', () => {
  it('delivers the mail, authenticated, with both parts, sender, recipient and its Message-ID', async () => {
    const server = await smtp();
    const target = await service(server.url);
    expect(target.logs.text).not.toContain('SMTP_URL is not set');
    const { id, email, url } = await resetMailFor(target);

    const [mail] = await server.waitForMails(1);
    expect(mail!.to).toEqual([email]);
    expect(mail!.from).toBe('noreply@acme.example');
    expect(mail!.parsed.subject).toBe('Reset your Acme Voice password');
    expect(mail!.parsed.from?.value[0]).toEqual({ name: 'Acme Voice', address: 'noreply@acme.example' });
    expect(mail!.parsed.messageId).toBe(`<${id}@acme.example>`);
    expect(mail!.parsed.text).toContain(url);
    expect(mail!.parsed.html).toContain(`href="${url}"`);
    await expect.poll(async () => (await mailRow(database.handle.db, id))?.state, EVENTUALLY).toBe('sent');
    expect(await mailRow(database.handle.db, id)).toMatchObject({ attempts: 1, payload_ciphertext: null });
  });

  it('commits the request that queued the mail while the server fails (421, then 451 twice), and the mail arrives after retries', async () => {
    const server = await smtp([{ at: 'connect', code: 421 }, { at: 'rcpt', code: 451 }, { at: 'data', code: 451 }]);
    const target = await service(server.url);
    const { id, email, url } = await resetMailFor(target);
    expect(await userExists(email)).toBe(true);

    const [mail] = await server.waitForMails(1);
    expect(mail!.parsed.text).toContain(url);
    expect(server.connections).toBe(4);
    await expect.poll(async () => (await mailRow(database.handle.db, id))?.state, EVENTUALLY).toBe('sent');
    expect((await mailRow(database.handle.db, id))!.attempts).toBe(4);
    const retries = target.logs.lines.filter((line) => line.includes('Mail not sent; will retry')).map((line) => JSON.parse(line));
    expect(retries.map((line) => line.error)).toEqual(['smtp_421', 'smtp_451', 'smtp_451']);
    expect(retries[0]).toMatchObject({ mailId: id, template: 'reset-password', attempt: 1 });
  });

  it('keeps a mail the server refuses to authenticate, and sends it once the credentials are right', async () => {
    const server = await smtp();
    const wrong = await service(server.url.replace(SMTP_PASSWORD, 'wrong-password'));
    const { id, email } = await resetMailFor(wrong);
    await expect
      .poll(async () => mailRow(database.handle.db, id), EVENTUALLY)
      .toMatchObject({ state: 'queued', attempts: expect.toSatisfy((n: number) => n >= 2), last_error: 'smtp_535', payload_ciphertext: expect.any(String) });
    await wrong.close();
    opened.services = [];

    await service(server.url);
    const [mail] = await server.waitForMails(1);
    expect(mail!.to).toEqual([email]);
  });

  it('fails a mail for good on a 5xx refusal, or after the last attempt, erasing its payload and logging the code', async () => {
    const refused = await smtp([{ at: 'rcpt', code: 550, message: 'No such user here' }]);
    const first = await service(refused.url, { maxAttempts: 3 });
    const permanent = await resetMailFor(first);
    await expect.poll(async () => (await mailRow(database.handle.db, permanent.id))?.state, EVENTUALLY).toBe('failed');
    expect(await mailRow(database.handle.db, permanent.id)).toMatchObject({ attempts: 1, last_error: 'smtp_550', payload_ciphertext: null });
    expect(first.logs.text).toContain('Mail failed for good');
    await first.close();
    opened.services = [];

    const busy = await smtp(Array.from({ length: 5 }, () => ({ at: 'rcpt' as const, code: 451 })));
    const second = await service(busy.url, { maxAttempts: 3 });
    const exhausted = await resetMailFor(second);
    await expect.poll(async () => (await mailRow(database.handle.db, exhausted.id))?.state, EVENTUALLY).toBe('failed');
    expect(await mailRow(database.handle.db, exhausted.id)).toMatchObject({ attempts: 3, last_error: 'smtp_451', payload_ciphertext: null });
    const failedLine = JSON.parse(second.logs.lines.find((line) => line.includes('Mail failed for good'))!);
    expect(failedLine).toMatchObject({ mailId: exhausted.id, template: 'reset-password', attempt: 3, error: 'smtp_451' });
  });

  it('sends each mail once when two instances share the queue', async () => {
    const server = await smtp();
    const [one, two] = [await service(server.url), await service(server.url)];
    const queued = await Promise.all(Array.from({ length: 12 }, (_, index) => resetMailFor(index % 2 === 0 ? one : two)));
    await server.waitForMails(12);
    await expect.poll(async () => (await Promise.all(queued.map(({ id }) => mailRow(database.handle.db, id)))).every((row) => row?.state === 'sent'), EVENTUALLY).toBe(true);
    expect(server.received.map((mail) => mail.to[0]).sort()).toEqual(queued.map(({ email }) => email).sort());
  });

  it('never logs the token, the link, the recipient, the body or the SMTP password, even at trace level and on failures', async () => {
    const server = await smtp([{ at: 'connect', code: 421, message: 'Busy' }, { at: 'rcpt', code: 451, message: 'Greylisted' }]);
    const target = await service(server.url);
    const { id, email, token } = await resetMailFor(target);
    const [mail] = await server.waitForMails(1);
    await expect.poll(async () => (await mailRow(database.handle.db, id))?.state, EVENTUALLY).toBe('sent');

    const logs = target.logs.text;
    expect(logs).toContain('Mail not sent; will retry');
    expect(logs).toContain('Mail sent');
    const bodyLine = mail!.parsed.text!.split('\n').find((line) => line.length > 40)!;
    for (const secret of [token, email, mail!.parsed.subject!, bodyLine, SMTP_PASSWORD, server.url]) {
      expect(logs, secret).not.toContain(secret);
    }
    expect(logs).not.toContain('Greylisted');
  });
});
