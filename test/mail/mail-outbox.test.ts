import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import jsQRModule from 'jsqr';
import { simpleParser } from 'mailparser';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/db/database.ts';
import { decryptSecret, generateToken } from '../../src/shared/crypto.ts';
import { mailRow } from '../support/mail-rows.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { createTestService, TEST_ENCRYPTION_KEY, uniqueEmail, type TestService } from '../support/test-service.ts';

// jsqr is CommonJS typed as an ES module: under NodeNext its default import is `module.exports`.
const jsQR = jsQRModule.default;
const BASE = 'https://voip.example.com';
/** The machine may be busy: a poll waits this long before a test fails. */
const EVENTUALLY = { timeout: 15_000 };

let database: TestDatabase;
let service: TestService;
let outbox: string;

beforeAll(async () => {
  database = await createTestDatabase();
  // No SMTP_URL: the embedded default, the outbox. Its worker starts inside the first test.
  service = await createTestService({
    database: database.handle,
    env: { PUBLIC_BASE_URL: `${BASE}/`, SERVICE_NAME: 'Acme Voice', DEFAULT_LOCALE: 'es' },
    startWorker: false,
  });
  outbox = service.deps.config.mail.outboxDir;
});
afterAll(async () => {
  await service?.close();
  await database?.close();
});

async function emlOf(id: string) {
  await expect.poll(() => fs.existsSync(outbox) && fs.readdirSync(outbox).some((name) => name.endsWith(`-${id}.eml`)), EVENTUALLY).toBe(true);
  const file = path.join(outbox, fs.readdirSync(outbox).find((name) => name.endsWith(`-${id}.eml`))!);
  // keepCidLinks: the HTML as sent (mailparser would inline the image as a data: URL).
  return { file, parsed: await simpleParser(fs.readFileSync(file), { keepCidLinks: true }) };
}

describe('mail without SMTP_URL: the outbox', () => {
  it('says so at start-up', () => {
    expect(service.logs.text).toContain('SMTP_URL is not set');
  });

  it('seals the queued mail, writes it as an .eml with both parts, the link and the inline QR, then erases the payload', async () => {
    const to = uniqueEmail('welcome');
    const url = `${BASE}/provisioning/${generateToken()}`;
    const { deps } = service;
    const id = await deps.database.db.transaction((tx) =>
      deps.mail.enqueue(tx, { to, template: 'welcome', locale: 'es-MX', params: { url, validForMinutes: 1440, extension: '1042', displayName: 'Ana' } }),
    );

    const queued = await mailRow(deps.database.db, id);
    expect(queued).toMatchObject({ state: 'queued', template: 'welcome', locale: 'es', attempts: 0 });
    expect(queued!.payload_ciphertext).not.toContain(url.split('/').pop());
    expect(queued!.payload_ciphertext).not.toContain(to);
    expect(JSON.parse(decryptSecret(Buffer.from(TEST_ENCRYPTION_KEY, 'hex'), queued!.payload_ciphertext!))).toMatchObject({ to, params: { url } });

    deps.mail.start();
    deps.mail.kick();
    const { file, parsed } = await emlOf(id);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(parsed.subject).toBe('Tu línea 1042 de Acme Voice está lista');
    expect((parsed.to as { text: string }).text).toBe(to);
    expect(parsed.from?.value[0]).toMatchObject({ name: 'Acme Voice', address: 'no-reply@voip.example.com' });
    expect(parsed.messageId).toBe(`<${id}@voip.example.com>`);
    expect(parsed.text).toContain(url);
    expect(parsed.text).toContain('1. Instala Linphone');
    expect(parsed.html).toContain(`href="${url}"`);

    const [qr] = parsed.attachments;
    expect(qr).toMatchObject({ contentType: 'image/png', contentDisposition: 'inline', related: true });
    expect(parsed.html).toContain(`cid:${qr!.cid}`);
    const png = PNG.sync.read(qr!.content);
    expect(jsQR(new Uint8ClampedArray(png.data), png.width, png.height)?.data).toBe(url);

    await expect.poll(async () => (await mailRow(deps.database.db, id))?.state, EVENTUALLY).toBe('sent');
    expect(await mailRow(deps.database.db, id)).toMatchObject({ attempts: 1, payload_ciphertext: null, last_error: null, sent_at: expect.anything() });
  });

  it('chooses the language from the recipient locale, else DEFAULT_LOCALE', async () => {
    const { deps } = service;
    const url = `${BASE}/auth/verify-email?token=${generateToken()}`;
    const send = (locale: string | undefined) =>
      deps.database.db.transaction((tx) => deps.mail.enqueue(tx, { to: uniqueEmail('lang'), template: 'verify-email', locale, params: { url, validForMinutes: 1440 } }));
    const [english, unsupported, missing] = [await send('en-GB'), await send('fr'), await send(undefined)];
    deps.mail.kick();
    expect((await emlOf(english)).parsed.subject).toBe('Confirm your email address for Acme Voice');
    expect((await emlOf(unsupported)).parsed.subject).toBe('Confirma tu dirección de correo en Acme Voice');
    expect((await emlOf(missing)).parsed.subject).toBe('Confirma tu dirección de correo en Acme Voice');
  });

  it('never sends the mail of a transaction that rolled back', async () => {
    const { deps } = service;
    let id = '';
    await expect(
      deps.database.db.transaction(async (tx) => {
        id = await deps.mail.enqueue(tx, { to: uniqueEmail('rollback'), template: 'password-changed', locale: 'en', params: {} });
        throw new Error('the caller changed its mind');
      }),
    ).rejects.toThrow('changed its mind');
    expect(id).not.toBe('');
    expect(await mailRow(deps.database.db, id)).toBeUndefined();
  });

  it('takes over a mail whose worker died while sending (lease run out)', async () => {
    const { deps } = service;
    // Queued and claimed by a dead worker in one transaction: the live worker never sees it queued.
    const id = await deps.database.db.transaction(async (tx) => {
      const queued = await deps.mail.enqueue(tx, { to: uniqueEmail('orphan'), template: 'account-deleted', locale: 'en', params: {} });
      await queryRows(tx, sql`update outgoing_mails set state = 'sending', locked_by = 'mail-dead', locked_until = now() - interval '1 second', run_at = now() + interval '1 hour', attempts = 1 where id = ${queued}`);
      return queued;
    });
    deps.mail.kick();
    expect((await emlOf(id)).parsed.subject).toBe('Your Acme Voice account is being deleted');
    expect(await mailRow(deps.database.db, id)).toMatchObject({ state: 'sent', attempts: 2 });
  });

  it('refuses parameters a template does not take, and links that do not point at PUBLIC_BASE_URL, naming no value', async () => {
    const { deps } = service;
    const db = deps.database.db;
    const token = generateToken();
    const attempts = [
      { to: 'a@example.com', template: 'password-changed', params: { password: `pw-${token}` } },
      { to: 'a@example.com', template: 'reset-password', params: { url: `https://evil.example/r?token=${token}`, validForMinutes: 30 } },
      { to: 'a@example.com', template: 'welcome', params: { url: `${BASE}/provisioning/${token}`, validForMinutes: 30, extension: '1001', sipSecret: token } },
      { to: `not an address ${token}`, template: 'account-deleted', params: {} },
      { to: 'a@example.com', template: 'no-such-template', params: {} },
    ];
    for (const request of attempts) {
      const error = await deps.mail.enqueue(db, request as never).then(() => undefined, (caught: Error) => caught);
      expect(error, JSON.stringify(request.params)).toBeInstanceOf(Error);
      expect(error!.message).not.toContain(token);
    }
  });
});
