import { describe, expect, it } from 'vitest';
import { mailsTo, onlyTokenIn, readOutbox, type OutboxMail } from './support/outbox.ts';
import { GOOD_PASSWORD, serviceForThisFile, TEST_ENCRYPTION_KEY, TEST_JWT_SECRET, uniqueEmail } from './support/test-service.ts';

const BASE = 'https://voip.example.com';
const file = serviceForThisFile({ env: { LOG_LEVEL: 'trace', EMAIL_VERIFICATION: 'required', PUBLIC_BASE_URL: BASE, SERVICE_NAME: 'Acme Voice' } });

const RESET_PASSWORD = 'a brand new passphrase for the reset';
const CHANGED_PASSWORD = 'yet another unusual passphrase 7';
const WRONG_PASSWORD = 'this is not the password at all';

type Answer = { statusCode: number; body: string; json: () => any };

/**
 * One person's whole life on one service at trace level: every account-lifecycle route is called, failures
 * included, and then every mail of the outbox, every log line and every error answer is searched for every
 * password, SIP secret and token the person was given or sent. A mail may hold only the one token it exists
 * to carry.
 */
describe('an account\'s whole life', () => {
  it('leaves no password, SIP secret or token in any mail (but its own link), log line or error answer', async () => {
    const { app } = file.service;
    const outbox = file.service.deps.config.mail.outboxDir;
    const errors: Answer[] = [];
    const call = async (method: string, url: string, { token, payload, headers = {} }: { token?: string; payload?: unknown; headers?: Record<string, string> } = {}) => {
      const answer = await app.inject({
        method: method as 'GET',
        url,
        headers: { ...headers, ...(token ? { authorization: `Bearer ${token}` } : {}) },
        ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
      });
      if (answer.statusCode >= 400) errors.push(answer);
      return answer;
    };
    const tokensOf = (answer: Answer) => answer.json() as { access_token: string; refresh_token: string };
    const email = uniqueEmail('whole-life');
    const accessTokens: string[] = [];
    const refreshTokens: string[] = [];
    const login = async (password: string) => {
      const answer = await call('POST', '/auth/login', { payload: { email, password } });
      expect(answer.statusCode).toBe(200);
      const tokens = tokensOf(answer);
      accessTokens.push(tokens.access_token);
      refreshTokens.push(tokens.refresh_token);
      return tokens;
    };

    // Sign up, verification required; the credentials are withheld until the email is verified.
    expect((await call('POST', '/auth/register', { payload: { email, password: GOOD_PASSWORD, display_name: 'Whole Life', locale: 'es' } })).statusCode).toBe(201);
    let session = await login(GOOD_PASSWORD);
    expect((await call('GET', '/sip/credentials', { token: session.access_token })).json().code).toBe('email_not_verified');
    expect((await call('POST', '/auth/login', { payload: { email, password: WRONG_PASSWORD } })).statusCode).toBe(401);
    expect((await call('POST', '/auth/resend-verification', { payload: { email } })).statusCode).toBe(202);
    expect((await call('POST', '/auth/resend-verification', { payload: { email: uniqueEmail('nobody') } })).statusCode).toBe(202);
    const [verification] = await mailsTo(outbox, email, /correo/i);
    const verifyToken = onlyTokenIn(verification!);
    expect((await call('GET', `/auth/verify-email?token=${verifyToken}`)).statusCode).toBe(200);
    expect((await call('POST', '/auth/verify-email', { payload: { token: verifyToken } })).statusCode).toBe(200);
    expect((await call('POST', '/auth/verify-email', { payload: { token: verifyToken } })).json().code).toBe('email_token_invalid');

    // Live: the secret in every form, a provisioning link used up, the welcome mail's link.
    let credentials: Answer | undefined;
    await expect.poll(async () => (credentials = await call('GET', '/sip/credentials', { token: session.access_token })).statusCode, { timeout: 10_000 }).toBe(200);
    const sipSecrets = [credentials!.json().password as string];
    for (const format of ['linphone-xml', 'sip-uri', 'sessiontalk', 'sessiontalk/qr.svg', 'acrobits']) await call('GET', `/sip/credentials/${format}`, { token: session.access_token });
    const link = (await call('POST', '/sip/provisioning-links', { token: session.access_token })).json<{ url: string }>();
    const linkTokens = [link.url.split('/').pop()!];
    expect((await call('GET', `/provisioning/${linkTokens[0]}`, { headers: { 'x-linphone-provisioning': '1' } })).statusCode).toBe(200);
    expect((await call('GET', `/provisioning/${linkTokens[0]}`, { headers: { 'x-linphone-provisioning': '1' } })).statusCode).toBe(404);
    const [welcome] = await mailsTo(outbox, email, /1\d{3}/);
    const welcomeToken = /\/provisioning\/([A-Za-z0-9_-]+)/.exec(welcome!.text)![1]!;
    linkTokens.push(welcomeToken);
    await file.service.deps.credentialAccess.flush();
    expect((await call('GET', '/sip/credentials/access-log?limit=5', { token: session.access_token })).statusCode).toBe(200);
    expect((await call('GET', '/sip/credentials/access-log?cursor=not-a-cursor', { token: session.access_token })).statusCode).toBe(422);

    // Sessions: refresh, reuse of the spent refresh token, a second device listed and ended, logout.
    const refreshed = tokensOf(await call('POST', '/auth/refresh', { payload: { refresh_token: session.refresh_token } }));
    accessTokens.push(refreshed.access_token);
    refreshTokens.push(refreshed.refresh_token);
    expect((await call('POST', '/auth/refresh', { payload: { refresh_token: session.refresh_token } })).json().code).toBe('invalid_refresh_token');
    expect((await call('GET', '/auth/me', { token: refreshed.access_token })).statusCode).toBe(401); // the reuse ended it
    session = await login(GOOD_PASSWORD);
    const other = await login(GOOD_PASSWORD);
    const listed = (await call('GET', '/auth/sessions', { token: session.access_token })).json<{ sessions: { id: string; current: boolean }[] }>();
    const otherId = listed.sessions.find((entry) => !entry.current)!.id;
    expect((await call('DELETE', `/auth/sessions/${otherId}`, { token: session.access_token })).statusCode).toBe(204);
    expect((await call('GET', '/auth/me', { token: other.access_token })).statusCode).toBe(401);
    expect((await call('POST', '/auth/logout', { token: session.access_token })).statusCode).toBe(204);

    // Forgotten, reset (a refused password first, then a token used twice), changed (a wrong one first).
    expect((await call('POST', '/auth/forgot-password', { payload: { email } })).statusCode).toBe(202);
    const [reset] = await mailsTo(outbox, email, /contraseña/i);
    const resetToken = onlyTokenIn(reset!);
    expect((await call('GET', `/auth/reset-password?token=${resetToken}`)).statusCode).toBe(200);
    expect((await call('POST', '/auth/reset-password', { payload: { token: resetToken, new_password: 'password1' } })).statusCode).toBe(422);
    expect((await call('POST', '/auth/reset-password', { payload: { token: resetToken, new_password: RESET_PASSWORD } })).statusCode).toBe(204);
    expect((await call('POST', '/auth/reset-password', { payload: { token: resetToken, new_password: RESET_PASSWORD } })).json().code).toBe('email_token_invalid');
    session = await login(RESET_PASSWORD);
    expect((await call('POST', '/auth/change-password', { token: session.access_token, payload: { current_password: WRONG_PASSWORD, new_password: CHANGED_PASSWORD } })).statusCode).toBe(401);
    const changed = await call('POST', '/auth/change-password', { token: session.access_token, payload: { current_password: RESET_PASSWORD, new_password: CHANGED_PASSWORD } });
    session = tokensOf(changed);
    accessTokens.push(session.access_token);
    refreshTokens.push(session.refresh_token);

    // A new SIP secret, a new name, the export, sign out everywhere, then leave (a wrong password first).
    expect((await call('POST', '/sip/credentials/rotate', { token: session.access_token })).statusCode).toBeLessThan(300);
    await expect.poll(async () => (await call('GET', '/sip/credentials/rotation', { token: session.access_token })).json().status, { timeout: 10_000 }).toBe('active');
    sipSecrets.push((await call('GET', '/sip/credentials', { token: session.access_token })).json().password);
    expect(sipSecrets[1]).not.toBe(sipSecrets[0]);
    expect((await call('PATCH', '/auth/me', { token: session.access_token, payload: { display_name: 'Whole Life Renamed', locale: 'en' } })).statusCode).toBe(200);
    expect((await call('PATCH', '/auth/me', { token: session.access_token, payload: { locale: 'fr' } })).statusCode).toBe(422);
    expect((await call('GET', '/auth/me/export', { token: session.access_token })).statusCode).toBe(200);
    expect((await call('POST', '/auth/logout-all', { token: session.access_token })).statusCode).toBe(204);
    session = await login(CHANGED_PASSWORD);
    expect((await call('DELETE', '/auth/me', { token: session.access_token, payload: { password: WRONG_PASSWORD } })).statusCode).toBe(401);
    expect((await call('DELETE', '/auth/me', { token: session.access_token, payload: { password: CHANGED_PASSWORD } })).statusCode).toBe(202);
    expect((await call('GET', '/sip/credentials', { token: session.access_token })).statusCode).toBe(401);
    await mailsTo(outbox, email, /deleted|elimin/i);
    await file.service.deps.credentialAccess.flush();

    // Every mail to the person: verification (sign-up and resend), welcome, reset, two "password changed", deleted.
    const mails = (await readOutbox(outbox)).filter((mail) => mail.to === email);
    expect(mails.length).toBeGreaterThanOrEqual(6);
    const verifyTokens = [...new Set(mails.filter((mail) => /correo/i.test(mail.subject)).map(onlyTokenIn))];
    const passwords = [GOOD_PASSWORD, RESET_PASSWORD, CHANGED_PASSWORD, WRONG_PASSWORD];
    const everySecret = [...passwords, ...sipSecrets, ...accessTokens, ...refreshTokens, ...verifyTokens, resetToken, ...linkTokens, TEST_JWT_SECRET, TEST_ENCRYPTION_KEY];
    for (const secret of everySecret) expect(secret.length).toBeGreaterThanOrEqual(16);
    const ownToken = (mail: OutboxMail) => (mail.file === welcome!.file ? [welcomeToken] : mail.text.includes('token=') ? [onlyTokenIn(mail)] : []);
    const contentOf = (mail: OutboxMail) => `${mail.raw}\n${mail.text}\n${mail.html}`;
    for (const mail of mails) {
      const allowed = ownToken(mail);
      for (const secret of everySecret.filter((value) => !allowed.includes(value))) expect(contentOf(mail), `${mail.subject} holds a secret`).not.toContain(secret);
    }

    // No log line, and no error answer, holds any of them (the query string of an /auth page is not logged).
    const logs = file.service.logs.text;
    expect(logs).toContain('"url":"/auth/verify-email"');
    expect(errors.length).toBeGreaterThanOrEqual(10);
    for (const secret of everySecret) {
      expect(logs).not.toContain(secret);
      for (const error of errors) expect(error.body, `${error.statusCode} ${error.body.slice(0, 80)}`).not.toContain(secret);
    }
    expect(logs.toLowerCase()).not.toContain('bearer ');
  });
});
