import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import jsQRModule from 'jsqr';
import { simpleParser } from 'mailparser';
import { PNG } from 'pngjs';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { queryRows } from '../src/db/database.ts';
import { createProvisioningQueue } from '../src/modules/provisioning-jobs/provisioning-queue.ts';
import { createWelcomeMail } from '../src/modules/welcome/welcome-mail.ts';
import { GOOD_PASSWORD, registerAndLogin, serviceForThisFile } from './support/test-service.ts';

// jsqr is CommonJS typed as an ES module: under NodeNext its default import is `module.exports`.
const jsQR = jsQRModule.default;
const BASE = 'https://voip.example.com';
const EVENTUALLY = { timeout: 15_000 };

const file = serviceForThisFile({
    env: { PUBLIC_BASE_URL: BASE, SERVICE_NAME: 'Acme Voice', WELCOME_LINK_TTL: '12h', PROVISIONING_RATE_LIMIT_PER_MINUTE: '100000' },
});

const db = () => file.service.deps.database.db;
const welcomeOf = async (email: string) =>
  queryRows<{ sip_account_id: string; mail_id: string | null; extension: string }>(db(), sql`
    select w.sip_account_id, w.mail_id, a.extension from welcome_mails w
    join sip_accounts a on a.id = w.sip_account_id join users u on u.id = a.user_id where u.email = ${email}`);

async function emlOf(mailId: string) {
  const outbox = file.service.deps.config.mail.outboxDir;
  const find = () => (fs.existsSync(outbox) ? fs.readdirSync(outbox).find((name) => name.endsWith(`-${mailId}.eml`)) : undefined);
  await expect.poll(find, EVENTUALLY).toBeDefined();
  const raw = fs.readFileSync(path.join(outbox, find()!));
  return { raw: raw.toString('utf8'), parsed: await simpleParser(raw, { keepCidLinks: true }) };
}

async function signUpAndWelcome(displayName?: string) {
  const user = await registerAndLogin(file.service.app, displayName ? { displayName } : {});
  expect(user.register.json()).toMatchObject({ provisioning_status: 'active' });
  await expect.poll(async () => (await welcomeOf(user.email))[0]?.mail_id, EVENTUALLY).toBeTruthy();
  const [welcome] = await welcomeOf(user.email);
  return { ...user, welcome: welcome!, mail: await emlOf(welcome!.mail_id!) };
}

describe('the welcome mail', () => {
  it('arrives once the extension is live, with a working provisioning link, its QR code inline, the steps, and no secret', async () => {
    const { token, welcome, mail } = await signUpAndWelcome('Ada');
    const { parsed, raw } = mail;
    expect(parsed.subject).toBe(`Your Acme Voice phone line ${welcome.extension} is ready`);
    expect(parsed.text).toContain('Hello Ada,');
    expect(parsed.text).toContain('1. Install Linphone');
    expect(parsed.text).toContain('The link is valid for 12 hours');
    const url = /https:\/\/voip\.example\.com\/provisioning\/[A-Za-z0-9_-]{43}/.exec(parsed.text ?? '')?.[0];
    expect(url).toBeDefined();
    expect(parsed.html).toContain(`href="${url}"`);

    const [qr] = parsed.attachments;
    expect(qr).toMatchObject({ contentType: 'image/png', contentDisposition: 'inline' });
    expect(parsed.html).toContain(`cid:${qr!.cid}`);
    const png = PNG.sync.read(qr!.content);
    expect(jsQR(new Uint8ClampedArray(png.data), png.width, png.height)?.data).toBe(url);

    const secret = (await file.service.app.inject({ method: 'GET', url: '/sip/credentials', headers: { authorization: `Bearer ${token}` } })).json<{ password: string }>().password;
    for (const body of [raw, parsed.text ?? '', String(parsed.html)]) {
      expect(body).not.toContain(secret);
      expect(body).not.toContain(token);
    }

    // Nor does any log line hold the link's token or the secret.
    expect(file.service.logs.text).not.toContain(url!.split('/').pop());
    expect(file.service.logs.text).not.toContain(secret);

    // The link works: Linphone fetches the account (with the secret) from it, once.
    const fetch = () => file.service.app.inject({ method: 'GET', url: new URL(url!).pathname, headers: { 'x-linphone-provisioning': '1', 'user-agent': 'Linphone/5.2' } });
    const xml = await fetch();
    expect(xml.statusCode).toBe(200);
    expect(xml.headers['content-type']).toContain('application/xml');
    expect(xml.body).toContain(`<entry name="username" overwrite="true">${welcome.extension}</entry>`);
    expect(xml.body).toContain(secret);
    expect((await fetch()).statusCode).toBe(404);
    // …and that fetch is in the user's access log.
    const log = await file.service.app.inject({ method: 'GET', url: '/sip/credentials/access-log', headers: { authorization: `Bearer ${token}` } });
    expect(log.json<{ items: { channel: string }[] }>().items.map((item) => item.channel)).toEqual(['provisioning_link', 'json']); // newest first
  });

  it('is written in the language the user signed up with', async () => {
    const email = `welcome-es-${Date.now()}@example.com`;
    const register = await file.service.app.inject({ method: 'POST', url: '/auth/register', payload: { email, password: GOOD_PASSWORD, locale: 'es' } });
    expect(register.statusCode).toBe(201);
    await expect.poll(async () => (await welcomeOf(email))[0]?.mail_id, EVENTUALLY).toBeTruthy();
    const [welcome] = await welcomeOf(email);
    const { parsed } = await emlOf(welcome!.mail_id!);
    expect(parsed.subject).toBe(`Tu línea ${welcome!.extension} de Acme Voice está lista`);
  });

  it('is sent once per account: not again after a secret rotation nor a re-provision', async () => {
    const { token, email, welcome } = await signUpAndWelcome();
    const welcomeMails = async () => (await queryRows<{ n: number }>(db(), sql`select count(*)::int as n from outgoing_mails where template = 'welcome'`))[0]!.n;
    const before = await welcomeMails();

    const rotation = await file.service.app.inject({ method: 'POST', url: '/sip/credentials/rotate', headers: { authorization: `Bearer ${token}` } });
    expect(rotation.statusCode).toBeLessThan(300);
    const queue = createProvisioningQueue({ db: db(), kick: file.service.deps.worker.kick });
    await db().transaction((tx) => queue.enqueue(tx, { sipAccountId: welcome.sip_account_id, extension: welcome.extension, kind: 'create' }));
    queue.kick();
    const unfinished = () => queryRows(db(), sql`select 1 from provisioning_jobs where sip_account_id = ${welcome.sip_account_id} and state <> 'done'`);
    await expect.poll(async () => (await unfinished()).length, EVENTUALLY).toBe(0);
    expect(await queryRows(db(), sql`select kind from provisioning_jobs where sip_account_id = ${welcome.sip_account_id} order by created_at`)).toEqual([{ kind: 'create' }, { kind: 'update' }, { kind: 'create' }]);

    expect(await welcomeMails()).toBe(before);
    expect(await welcomeOf(email)).toHaveLength(1);
  });

  it('never keeps an account from going live: a welcome that cannot be queued is logged and left out', async () => {
    const { welcome } = await signUpAndWelcome();
    await queryRows(db(), sql`delete from welcome_mails where sip_account_id = ${welcome.sip_account_id}`);
    const broken = createWelcomeMail({
      mail: { enqueue: () => Promise.reject(new Error('mail queue broken')), kick: () => {} },
      provisioning: { publicBaseUrl: BASE, linkMode: 'once', linksPerAccount: 5 },
      linkTtlSeconds: 3600,
      logger: pino({ level: 'silent' }),
    });
    await db().transaction(async (tx) => {
      await broken.accountWentLive(tx, welcome.sip_account_id);
      await tx.execute(sql`update sip_accounts set last_error = 'still committed' where id = ${welcome.sip_account_id}`);
    });
    const [account] = await queryRows<{ last_error: string }>(db(), sql`select last_error from sip_accounts where id = ${welcome.sip_account_id}`);
    expect(account!.last_error).toBe('still committed');
    // Its savepoint rolled back: neither the claim nor a stray link stayed behind.
    expect(await queryRows(db(), sql`select 1 from welcome_mails where sip_account_id = ${welcome.sip_account_id}`)).toHaveLength(0);
  });
});
