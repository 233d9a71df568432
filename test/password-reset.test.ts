import { sql } from 'drizzle-orm';
import type { InjectOptions } from 'fastify';
import { describe, expect, it } from 'vitest';
import { queryRows } from '../src/db/database.ts';
import { sha256Hex } from '../src/shared/crypto.ts';
import { answerTimes, ratio } from './support/answer-timing.ts';
import { mailsTo, onlyTokenIn, readOutbox, tokensIn } from './support/outbox.ts';
import { GOOD_PASSWORD, serviceForThisFile, TEST_ENCRYPTION_KEY, TEST_JWT_SECRET, uniqueEmail } from './support/test-service.ts';

const BASE = 'https://voip.example.com';
const file = serviceForThisFile({ env: { PUBLIC_BASE_URL: BASE, SERVICE_NAME: 'Acme Voice', LOG_LEVEL: 'trace' } });
const NEW_PASSWORD = 'a brand new passphrase for 2025';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

const outbox = () => file.service.deps.config.mail.outboxDir;
const inject = (options: InjectOptions | string) => file.service.app.inject(options);
const forgot = (email: string) => inject({ method: 'POST', url: '/auth/forgot-password', payload: { email } });
const reset = (token: string, newPassword = NEW_PASSWORD) => inject({ method: 'POST', url: '/auth/reset-password', payload: { token, new_password: newPassword } });
const login = (email: string, password: string) => inject({ method: 'POST', url: '/auth/login', payload: { email, password } });

async function signUp(extra: Record<string, unknown> = {}) {
  const email = uniqueEmail('reset');
  expect((await inject({ method: 'POST', url: '/auth/register', payload: { email, password: GOOD_PASSWORD, ...extra } })).statusCode).toBe(201);
  return email;
}

/** The user's newest reset link; `count` mails must have arrived. */
async function resetToken(email: string, count = 1): Promise<string> {
  const mails = await mailsTo(outbox(), email, /reset|restablece/i, count);
  return onlyTokenIn(mails.at(-1)!);
}

/** Lets the next reset mail go out at once (one a minute otherwise). */
const pastCooldown = (email: string) =>
  queryRows(file.database.handle.db, sql`update email_tokens set created_at = now() - interval '2 minutes' where user_id = (select id from users where email = ${email})`);

describe('POST /auth/forgot-password', () => {
  const answerBytes = (answer: Awaited<ReturnType<typeof forgot>>) => ({
    status: answer.statusCode,
    body: answer.rawPayload.toString('hex'),
    headers: Object.fromEntries(Object.entries(answer.headers).filter(([name]) => !['date', 'x-request-id', 'x-ratelimit-remaining', 'x-ratelimit-reset'].includes(name))),
  });

  it('answers 202 with the same bytes whether or not the email has an account, and mails a link with exactly one token to the account only', async () => {
    const email = await signUp({ display_name: 'Ana' });
    const stranger = uniqueEmail('stranger');
    const known = await forgot(email.toUpperCase());
    const unknown = await forgot(stranger);
    expect(known.statusCode).toBe(202);
    expect(known.json()).toEqual({ status: 'accepted' });
    expect(answerBytes(known)).toEqual(answerBytes(unknown));

    const [mail] = await mailsTo(outbox(), email, /reset/i);
    expect(mail!.subject).toBe('Reset your Acme Voice password');
    const token = onlyTokenIn(mail!);
    expect(mail!.text).toContain(`${BASE}/auth/reset-password?token=${token}`);
    expect(mail!.text).toContain('valid for 30 minutes');
    await file.service.deps.offRequestPath.idle();
    expect((await readOutbox(outbox())).filter((sent) => sent.to === stranger)).toEqual([]);
  });

  it('takes as long for an unknown email as for a known one (the look-up is off the request path)', async () => {
    const known = [await signUp(), await signUp(), await signUp()];
    const times = await answerTimes(file.service, async (email) => expect((await forgot(email)).statusCode).toBe(202), { known, unknown: () => uniqueEmail('nobody') });
    expect(ratio(times), JSON.stringify(times)).toBeLessThan(3);
  });

  it('makes an older link useless once a newer one is sent, and sends at most one a minute', async () => {
    const email = await signUp();
    await forgot(email);
    const first = await resetToken(email);
    await forgot(email); // within the minute: nothing
    await file.service.deps.offRequestPath.idle();
    await pastCooldown(email);
    await forgot(email);
    const second = await resetToken(email, 2);
    expect(second).not.toBe(first);
    expect((await reset(first)).json()).toMatchObject({ code: 'email_token_invalid' });
    expect((await reset(second)).statusCode).toBe(204);
  });
});

describe('GET /auth/reset-password', () => {
  it('shows a form with a new-password field that posts, in the user\'s language, and uses nothing up', async () => {
    const email = await signUp({ locale: 'es' });
    await forgot(email);
    const [mail] = await mailsTo(outbox(), email, /restablece/i);
    const token = onlyTokenIn(mail!);
    for (let i = 0; i < 2; i++) {
      const page = await inject({ url: `/auth/reset-password?token=${token}` });
      expect(page.statusCode).toBe(200);
      expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(page.headers['cache-control']).toBe('no-store');
      expect(page.body).toContain('<html lang="es">');
      expect(page.body).toContain('<form method="post" action="reset-password">');
      expect(page.body).toMatch(/<input type="password" id="new_password" name="new_password" autocomplete="new-password" required minlength="8" maxlength="256">/);
      expect(page.body).not.toMatch(/<script|javascript:/i);
    }
    expect((await reset(token)).statusCode).toBe(204);
    // A used link names no one any more: the page follows the browser's language.
    const used = await inject({ url: `/auth/reset-password?token=${token}`, headers: { 'accept-language': 'es-ES' } });
    expect(used.statusCode).toBe(400);
    expect(used.body).toContain('Este enlace no funciona');
  });
});

describe('POST /auth/reset-password', () => {
  it('204: the new password works, the old one no longer, and a password-changed mail with no link and no secret tells the user', async () => {
    const email = await signUp({ display_name: 'Ana' });
    await forgot(email);
    const token = await resetToken(email);
    const answer = await reset(token);
    expect(answer.statusCode).toBe(204);
    expect(answer.body).toBe('');
    expect(answer.headers['cache-control']).toBe('no-store');
    expect((await login(email, GOOD_PASSWORD)).statusCode).toBe(401);
    expect((await login(email, NEW_PASSWORD)).statusCode).toBe(200);

    const [notice] = await mailsTo(outbox(), email, /password was changed/i);
    expect(notice!.text).toContain('Hello Ana,');
    expect(tokensIn(notice!)).toEqual([]);
    for (const secret of [token, NEW_PASSWORD, GOOD_PASSWORD]) expect(notice!.raw).not.toContain(secret);
  });

  it('works once when the same token is posted twice at once', async () => {
    const email = await signUp();
    await forgot(email);
    const token = await resetToken(email);
    const answers = await Promise.all([reset(token, NEW_PASSWORD), reset(token, 'another fine passphrase 99')]);
    expect(answers.map((answer) => answer.statusCode).sort()).toEqual([204, 400]);
    const loser = answers.find((answer) => answer.statusCode === 400)!;
    expect(loser.json()).toMatchObject({ code: 'email_token_invalid' });
    const winner = answers[0]!.statusCode === 204 ? NEW_PASSWORD : 'another fine passphrase 99';
    expect((await login(email, winner)).statusCode).toBe(200);
  });

  it('holds the new password to the sign-up policy, leaving the token usable', async () => {
    const email = await signUp();
    await forgot(email);
    const token = await resetToken(email);
    expect((await reset(token, 'password')).json()).toMatchObject({ status: 422, code: 'password_too_common' });
    expect((await reset(token, 'short')).json()).toMatchObject({ status: 422, code: 'validation_failed' });
    expect((await reset(token)).statusCode).toBe(204);
  });

  it('answers an unknown, expired or used token with one 400 email_token_invalid', async () => {
    const email = await signUp();
    await forgot(email);
    const expired = await resetToken(email);
    await queryRows(file.database.handle.db, sql`update email_tokens set expires_at = now() - interval '1 second' where token_hash = ${sha256Hex(expired)}`);
    const answers = await Promise.all([expired, 'B'.repeat(43), 'nope'].map((token) => reset(token)));
    const shapes = answers.map((answer) => {
      const { request_id: _id, ...rest } = answer.json();
      return { status: answer.statusCode, ...rest };
    });
    expect(new Set(shapes.map((shape) => JSON.stringify(shape))).size).toBe(1);
    expect(shapes[0]).toMatchObject({ status: 400, code: 'email_token_invalid' });
    expect((await login(email, GOOD_PASSWORD)).statusCode).toBe(200);
  });

  it('from the page\'s form: a page that says it is done, or the form again with the reason', async () => {
    const email = await signUp({ locale: 'en' });
    await forgot(email);
    const token = await resetToken(email);
    const common = await inject({ method: 'POST', url: '/auth/reset-password', headers: FORM, payload: `token=${token}&new_password=password1` });
    expect(common.statusCode).toBe(422);
    expect(common.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(common.body).toContain('role="alert"');
    expect(common.body).toContain('commonly used passwords');
    expect(common.body).toContain(`value="${token}"`);
    expect(common.body).not.toContain('password1');

    const done = await inject({ method: 'POST', url: '/auth/reset-password', headers: FORM, payload: `token=${token}&new_password=${encodeURIComponent(NEW_PASSWORD)}` });
    expect(done.statusCode).toBe(200);
    expect(done.body).toContain('Password changed');
    expect(done.body).not.toContain(token);
    const again = await inject({ method: 'POST', url: '/auth/reset-password', headers: { ...FORM, 'accept-language': 'es' }, payload: `token=${token}&new_password=${encodeURIComponent(NEW_PASSWORD)}` });
    expect(again.statusCode).toBe(400);
    expect(again.body).toContain('Este enlace no funciona');
  });

  it('ends every session of the user: their access and refresh tokens are refused, on this instance at once', async () => {
    const email = await signUp();
    const sessions = await Promise.all([login(email, GOOD_PASSWORD), login(email, GOOD_PASSWORD)]);
    const tokens = sessions.map((answer) => answer.json<{ access_token: string; refresh_token: string }>());
    const me = (accessToken: string) => inject({ url: '/auth/me', headers: { authorization: `Bearer ${accessToken}` } });
    expect((await me(tokens[0]!.access_token)).statusCode).toBe(200);

    await forgot(email);
    expect((await reset(await resetToken(email))).statusCode).toBe(204);

    for (const { access_token, refresh_token } of tokens) {
      expect((await me(access_token)).statusCode).toBe(401);
      const refreshed = await inject({ method: 'POST', url: '/auth/refresh', payload: { refresh_token } });
      expect(refreshed.statusCode).toBe(401);
    }
    const ended = await queryRows<{ reason: string }>(file.database.handle.db, sql`select revoke_reason as reason from sessions where user_id = (select id from users where email = ${email})`);
    expect(ended.map((row) => row.reason)).toEqual(['password_reset', 'password_reset']);
    expect((await login(email, NEW_PASSWORD)).statusCode).toBe(200);
  });
});

describe('secrets', () => {
  it('appear in no log line, no error and no stored row: tokens, old and new passwords', async () => {
    const email = await signUp();
    await forgot(email);
    const token = await resetToken(email);
    await inject({ url: `/auth/reset-password?token=${token}` });
    const bad = await reset(`${token}x`);
    expect(bad.body).not.toContain(token);
    expect((await reset(token)).statusCode).toBe(204);
    await mailsTo(outbox(), email, /password was changed/i);
    await expect.poll(async () => (await queryRows<{ n: number }>(file.database.handle.db, sql`select count(*)::int as n from outgoing_mails where payload_ciphertext is not null`))[0]!.n, { timeout: 15_000 }).toBe(0);

    const logs = file.service.logs.text;
    expect(logs).toContain('Password reset; every session ended');
    expect(logs).toContain('"url":"/auth/reset-password"');
    for (const secret of [token, NEW_PASSWORD, GOOD_PASSWORD, TEST_JWT_SECRET, TEST_ENCRYPTION_KEY, email]) expect(logs).not.toContain(secret);
    const rows = JSON.stringify(await queryRows(file.database.handle.db, sql`select * from email_tokens`)) + JSON.stringify(await queryRows(file.database.handle.db, sql`select * from outgoing_mails`));
    expect(rows).not.toContain(token);
  });
});
