import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { queryRows } from '../src/db/database.ts';
import { sha256Hex } from '../src/shared/crypto.ts';
import { answerTimes, ratio } from './support/answer-timing.ts';
import { mailsTo, onlyTokenIn, readOutbox } from './support/outbox.ts';
import { GOOD_PASSWORD, serviceForThisFile, uniqueEmail, type TestService } from './support/test-service.ts';

const BASE = 'https://voip.example.com';
// Two services on one database: the default (EMAIL_VERIFICATION=off) and `required`, each with its own outbox.
const off = serviceForThisFile({ env: { PUBLIC_BASE_URL: BASE, SERVICE_NAME: 'Acme Voice' } });
const required = serviceForThisFile({ env: { PUBLIC_BASE_URL: BASE, SERVICE_NAME: 'Acme Voice', EMAIL_VERIFICATION: 'required', DEFAULT_LOCALE: 'es' } });

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

async function signUp(service: TestService, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
  const email = uniqueEmail('verify');
  const register = await service.app.inject({ method: 'POST', url: '/auth/register', headers, payload: { email, password: GOOD_PASSWORD, ...extra } });
  expect(register.statusCode).toBe(201);
  const login = await service.app.inject({ method: 'POST', url: '/auth/login', payload: { email, password: GOOD_PASSWORD } });
  expect(login.statusCode).toBe(200);
  const auth = { authorization: `Bearer ${login.json<{ access_token: string }>().access_token}` };
  return { email, register, auth };
}

async function verificationMail(service: TestService, email: string) {
  const [mail] = await mailsTo(service.deps.config.mail.outboxDir, email, /email|correo/i);
  return { mail: mail!, token: onlyTokenIn(mail!) };
}

const me = async (service: TestService, auth: Record<string, string>) => (await service.app.inject({ url: '/auth/me', headers: auth })).json();
const postToken = (service: TestService, token: string) => service.app.inject({ method: 'POST', url: '/auth/verify-email', payload: { token } });

describe('email verification off (the default): today\'s sign-up, plus a verification mail', () => {
  it('creates the extension at once, mails a link with exactly one token and shows email_verified false', async () => {
    const { email, register, auth } = await signUp(off.service, { display_name: 'Ana' });
    expect(register.json().provisioning_status).toBe('active');
    expect(await me(off.service, auth)).toMatchObject({ email_verified: false, sip_account: { status: 'active' } });
    const { mail, token } = await verificationMail(off.service, email);
    expect(mail.subject).toBe('Confirm your email address for Acme Voice');
    expect(mail.text).toContain(`${BASE}/auth/verify-email?token=${token}`);
    expect(token.length).toBeGreaterThanOrEqual(43); // 256 bits in base64url
    // Only the token's hash is stored.
    const [row] = await queryRows<{ token_hash: string }>(off.database.handle.db, sql`select token_hash from email_tokens where token_hash = ${sha256Hex(token)}`);
    expect(row).toBeDefined();
    expect(JSON.stringify(await queryRows(off.database.handle.db, sql`select * from email_tokens`))).not.toContain(token);
  });

  it('GET /auth/verify-email shows a page with one POST button and verifies nothing (a mail scanner following the link)', async () => {
    const { email, auth } = await signUp(off.service);
    const { token } = await verificationMail(off.service, email);
    for (let i = 0; i < 3; i++) {
      const page = await off.service.app.inject({ url: `/auth/verify-email?token=${token}&utm_source=mail`, headers: { 'user-agent': 'LinkScanner/1.0' } });
      expect(page.statusCode).toBe(200);
      expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(page.headers['cache-control']).toBe('no-store');
      expect(page.headers['content-security-policy']).toContain("script-src 'self'");
      expect(page.body).toContain('<form method="post" action="verify-email">');
      expect(page.body).toContain(`<input type="hidden" name="token" value="${token}">`);
      expect(page.body.match(/<button/g)).toHaveLength(1);
      expect(page.body).not.toMatch(/<script|onload=|onclick=|javascript:/i);
      expect(page.body).toContain(email);
    }
    expect((await me(off.service, auth)).email_verified).toBe(false);
  });

  it('POST /auth/verify-email {"token"} → 200 and email_verified true; the token then works no more (400 email_token_invalid)', async () => {
    const { email, auth } = await signUp(off.service);
    const { token } = await verificationMail(off.service, email);
    const verified = await postToken(off.service, token);
    expect(verified.statusCode).toBe(200);
    expect(verified.headers['cache-control']).toBe('no-store');
    expect(verified.json()).toEqual({ email_verified: true });
    expect(await me(off.service, auth)).toMatchObject({ email_verified: true, sip_account: { status: 'active' } });

    const again = await postToken(off.service, token);
    expect(again.statusCode).toBe(400);
    expect(again.headers['content-type']).toContain('application/problem+json');
    expect(again.json()).toMatchObject({ status: 400, code: 'email_token_invalid' });
    expect(again.body).not.toContain(token);
    // The page of a used link says so, with the same status.
    expect((await off.service.app.inject({ url: `/auth/verify-email?token=${token}` })).statusCode).toBe(400);
  });

  it('gives an unknown, a used, an expired and a malformed token one and the same answer', async () => {
    const { email } = await signUp(off.service);
    const { token: expired } = await verificationMail(off.service, email);
    await queryRows(off.database.handle.db, sql`update email_tokens set expires_at = now() - interval '1 second' where token_hash = ${sha256Hex(expired)}`);
    const { email: other } = await signUp(off.service);
    const { token: used } = await verificationMail(off.service, other);
    expect((await postToken(off.service, used)).statusCode).toBe(200);

    const answers = await Promise.all([expired, used, 'A'.repeat(43), 'not a token at all', 'x'.repeat(999)].map((token) => postToken(off.service, token)));
    const shapes = answers.map((answer) => {
      const { request_id: _id, ...rest } = answer.json();
      return { status: answer.statusCode, ...rest };
    });
    expect(new Set(shapes.map((shape) => JSON.stringify(shape))).size).toBe(1);
    expect(shapes[0]).toMatchObject({ status: 400, code: 'email_token_invalid' });
  });

  it('verifies once when the same token is posted twice at once', async () => {
    const { email } = await signUp(off.service);
    const { token } = await verificationMail(off.service, email);
    const answers = await Promise.all(Array.from({ length: 6 }, () => postToken(off.service, token)));
    expect(answers.map((answer) => answer.statusCode).sort()).toEqual([200, 400, 400, 400, 400, 400]);
  });

  it('answers a missing or unknown token on the page with a page, in the language Accept-Language prefers', async () => {
    const missing = await off.service.app.inject({ url: '/auth/verify-email', headers: { 'accept-language': 'fr-FR, es;q=0.8, en;q=0.5' } });
    expect(missing.statusCode).toBe(400);
    expect(missing.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(missing.body).toContain('<html lang="es">');
    expect(missing.body).toContain('Este enlace no funciona');
    const unknown = await off.service.app.inject({ url: '/auth/verify-email?token=nope' });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.body).toContain('This link does not work');
  });
});

describe('email verification required', () => {
  it('holds the number at sign-up, lets the user log in, and answers 409 email_not_verified wherever the secret would go', async () => {
    const { register, auth } = await signUp(required.service);
    expect(register.json()).toMatchObject({ provisioning_status: 'awaiting_verification', sip_extension: expect.stringMatching(/^1\d{3}$/) });
    expect(await me(required.service, auth)).toMatchObject({
      email_verified: false,
      sip_account: { extension: register.json().sip_extension, status: 'awaiting_verification', provisioning_attempts: 0 },
    });
    const [{ count } = { count: -1 }] = await queryRows<{ count: number }>(
      required.database.handle.db,
      sql`select count(*)::int as count from provisioning_jobs j join sip_accounts a on a.id = j.sip_account_id join users u on u.id = a.user_id where u.id = ${register.json().id}`,
    );
    expect(count).toBe(0); // nothing goes to the PBX before the email is verified

    for (const [method, url] of [
      ['GET', '/sip/credentials'],
      ['GET', '/sip/credentials/linphone-xml'],
      ['GET', '/sip/credentials/sip-uri/qr.png'],
      ['POST', '/sip/provisioning-links'],
      ['POST', '/sip/credentials/rotate'],
    ] as const) {
      const answer = await required.service.app.inject({ method, url, headers: auth });
      expect(answer.statusCode, `${method} ${url}`).toBe(409);
      expect(answer.json(), `${method} ${url}`).toMatchObject({ code: 'email_not_verified' });
    }
  });

  it('creates the extension once the page\'s form is posted, answering a verified page in the user\'s language', async () => {
    const { email, register, auth } = await signUp(required.service, { locale: 'en' });
    const { mail, token } = await verificationMail(required.service, email);
    expect(mail.subject).toBe('Confirm your email address for Acme Voice');
    const page = await required.service.app.inject({ url: `/auth/verify-email?token=${token}`, headers: { 'accept-language': 'es' } });
    expect(page.body).toContain('<html lang="en">'); // the user's own locale beats the browser's

    const posted = await required.service.app.inject({ method: 'POST', url: '/auth/verify-email', headers: FORM, payload: `token=${token}` });
    expect(posted.statusCode).toBe(200);
    expect(posted.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(posted.body).toContain('Email address confirmed');
    expect(posted.body).not.toContain(token);

    await expect.poll(async () => (await required.service.app.inject({ url: '/sip/credentials', headers: auth })).statusCode, { timeout: 15_000 }).toBe(200);
    expect(await me(required.service, auth)).toMatchObject({ email_verified: true, sip_account: { extension: register.json().sip_extension, status: 'active' } });
  });

  it('counts a used password-reset link as proof of the address: verified, and the held extension goes to the PBX', async () => {
    const { email, register } = await signUp(required.service);
    await required.service.app.inject({ method: 'POST', url: '/auth/forgot-password', payload: { email } });
    const resetMails = () => mailsTo(required.service.deps.config.mail.outboxDir, email, /password|contraseña/i);
    await expect.poll(async () => (await resetMails()).length, { timeout: 5_000 }).toBe(1); // sent off the request path
    const [resetMail] = await resetMails();
    const newPassword = `${GOOD_PASSWORD}-new`;
    const reset = await required.service.app.inject({ method: 'POST', url: '/auth/reset-password', payload: { token: onlyTokenIn(resetMail!), new_password: newPassword } });
    expect(reset.statusCode).toBe(204);
    const login = await required.service.app.inject({ method: 'POST', url: '/auth/login', payload: { email, password: newPassword } });
    const auth = { authorization: `Bearer ${login.json<{ access_token: string }>().access_token}` };
    await expect.poll(async () => (await required.service.app.inject({ url: '/sip/credentials', headers: auth })).statusCode, { timeout: 15_000 }).toBe(200);
    expect(await me(required.service, auth)).toMatchObject({ email_verified: true, sip_account: { extension: register.json().sip_extension, status: 'active' } });
  });

  it('answers a used token posted from the page with the invalid-link page (400)', async () => {
    const { email } = await signUp(required.service, {}, { 'accept-language': 'es-MX,es;q=0.9' });
    const { mail, token } = await verificationMail(required.service, email);
    expect(mail.subject).toBe('Confirma tu dirección de correo en Acme Voice');
    expect((await postToken(required.service, token)).statusCode).toBe(200);
    const again = await required.service.app.inject({ method: 'POST', url: '/auth/verify-email', headers: { ...FORM, 'accept-language': 'es' }, payload: `token=${token}` });
    expect(again.statusCode).toBe(400);
    expect(again.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(again.body).toContain('Este enlace no funciona');
  });
});

describe('the locale taken at sign-up', () => {
  const localeOf = async (service: TestService, email: string) =>
    (await queryRows<{ locale: string }>(service.deps.database.db, sql`select locale from users where email = ${email}`))[0]?.locale;

  it('is the locale field, else the best supported language of Accept-Language, else DEFAULT_LOCALE', async () => {
    expect(await localeOf(off.service, (await signUp(off.service, { locale: 'es' }, { 'accept-language': 'en' })).email)).toBe('es');
    expect(await localeOf(off.service, (await signUp(off.service, {}, { 'accept-language': 'de, es-419;q=0.7, en;q=0.3' })).email)).toBe('es');
    expect(await localeOf(off.service, (await signUp(off.service, {}, { 'accept-language': 'es;q=0, en' })).email)).toBe('en');
    expect(await localeOf(off.service, (await signUp(off.service, {}, { 'accept-language': 'fr' })).email)).toBe('en');
    expect(await localeOf(required.service, (await signUp(required.service)).email)).toBe('es'); // its DEFAULT_LOCALE
  });

  it('refuses a locale that is not offered', async () => {
    const answer = await off.service.app.inject({ method: 'POST', url: '/auth/register', payload: { email: uniqueEmail(), password: GOOD_PASSWORD, locale: 'fr' } });
    expect(answer.statusCode).toBe(422);
    expect(answer.json().errors[0].field).toBe('locale');
  });
});

describe('POST /auth/resend-verification', () => {
  const resend = (service: TestService, email: string) => service.app.inject({ method: 'POST', url: '/auth/resend-verification', payload: { email } });
  const answerBytes = (answer: Awaited<ReturnType<typeof resend>>) => ({
    status: answer.statusCode,
    body: answer.rawPayload.toString('hex'),
    headers: Object.fromEntries(Object.entries(answer.headers).filter(([name]) => !['date', 'x-request-id', 'x-ratelimit-remaining', 'x-ratelimit-reset'].includes(name))),
  });

  it('answers 202 with the same bytes whether or not the email has an account, and mails only the account', async () => {
    const { email } = await signUp(off.service);
    await verificationMail(off.service, email);
    // Past the one-a-minute limit.
    await queryRows(off.database.handle.db, sql`update email_tokens set created_at = now() - interval '2 minutes' where user_id = (select id from users where email = ${email})`);
    const stranger = uniqueEmail('stranger');
    const known = await resend(off.service, email);
    const unknown = await resend(off.service, stranger);
    expect(known.statusCode).toBe(202);
    expect(known.json()).toEqual({ status: 'accepted' });
    expect(answerBytes(known)).toEqual(answerBytes(unknown));

    const mails = await mailsTo(off.service.deps.config.mail.outboxDir, email, /email/i, 2);
    expect(new Set(mails.map(onlyTokenIn)).size).toBe(2);
    await off.service.deps.offRequestPath.idle();
    expect((await readOutbox(off.service.deps.config.mail.outboxDir)).filter((mail) => mail.to === stranger)).toEqual([]);
  });

  it('sends nothing more within a minute of the last mail, nor to a verified address; the answer stays the same', async () => {
    const { email } = await signUp(off.service);
    const { token } = await verificationMail(off.service, email);
    expect((await resend(off.service, email)).statusCode).toBe(202); // within the minute
    await off.service.deps.offRequestPath.idle();
    expect((await postToken(off.service, token)).statusCode).toBe(200);
    await queryRows(off.database.handle.db, sql`update email_tokens set created_at = now() - interval '2 minutes' where user_id = (select id from users where email = ${email})`);
    expect((await resend(off.service, email)).statusCode).toBe(202); // verified
    await off.service.deps.offRequestPath.idle();
    // No second token was issued, so no second mail was queued.
    const [{ count } = { count: -1 }] = await queryRows<{ count: number }>(off.database.handle.db, sql`select count(*)::int as count from email_tokens where user_id = (select id from users where email = ${email})`);
    expect(count).toBe(1);
  });

  it('takes as long for an unknown email as for a known one (the look-up is off the request path)', async () => {
    const known: string[] = [];
    for (let i = 0; i < 3; i++) known.push((await signUp(off.service)).email);
    const times = await answerTimes(off.service, async (email) => expect((await resend(off.service, email)).statusCode).toBe(202), { known, unknown: () => uniqueEmail('nobody') });
    expect(ratio(times), JSON.stringify(times)).toBeLessThan(3);
  });
});

describe('secrets of the verification flow', () => {
  it('appear in no log line and no stored row: every token mailed so far, and the password', async () => {
    const { email } = await signUp(required.service);
    const { token } = await verificationMail(required.service, email);
    await required.service.app.inject({ url: `/auth/verify-email?token=${token}` });
    await postToken(required.service, `${token}x`);
    expect((await postToken(required.service, token)).statusCode).toBe(200);
    for (const service of [off.service, required.service]) {
      const mails = await readOutbox(service.deps.config.mail.outboxDir);
      const tokens = mails.flatMap((mail) => [...`${mail.text}`.matchAll(/token=([A-Za-z0-9_-]+)/g)].map((match) => match[1]!));
      if (service === required.service) expect(tokens).toContain(token);
      for (const mail of mails) expect(mail.raw).not.toContain(GOOD_PASSWORD);
      const stored = JSON.stringify(await queryRows(service.deps.database.db, sql`select * from email_tokens`)) + JSON.stringify(await queryRows(service.deps.database.db, sql`select * from outgoing_mails`));
      for (const secret of [...tokens, GOOD_PASSWORD]) {
        expect(service.logs.text).not.toContain(secret);
        expect(stored).not.toContain(secret);
      }
    }
  });
});
