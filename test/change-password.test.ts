import { describe, expect, it } from 'vitest';
import { readOutbox } from './support/outbox.ts';
import { GOOD_PASSWORD, serviceForThisFile, uniqueEmail } from './support/test-service.ts';

// Spanish by default, so the test proves the mail follows DEFAULT_LOCALE for a user who gave no language.
const file = serviceForThisFile({ env: { DEFAULT_LOCALE: 'es', SERVICE_NAME: 'Acme Voice', LOGIN_FAILURES_PER_ACCOUNT_PER_HOUR: '3' } });
const app = () => file.service.app;
const NEW_PASSWORD = 'a different unusual passphrase 43';
const EVENTUALLY = { timeout: 15_000 };

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const login = (email: string, password = GOOD_PASSWORD) => app().inject({ method: 'POST', url: '/auth/login', payload: { email, password } });
const tokens = async (email: string, password = GOOD_PASSWORD) => (await login(email, password)).json<{ access_token: string; refresh_token: string }>();
const me = (token: string) => app().inject({ method: 'GET', url: '/auth/me', headers: bearer(token) });
const change = (token: string, body: Record<string, unknown>) => app().inject({ method: 'POST', url: '/auth/change-password', headers: bearer(token), payload: body });

async function newUser(displayName?: string) {
  const email = uniqueEmail('change');
  const registered = await app().inject({ method: 'POST', url: '/auth/register', payload: { email, password: GOOD_PASSWORD, ...(displayName ? { display_name: displayName } : {}) } });
  expect(registered.statusCode).toBe(201);
  return email;
}

/** The password-changed mails in the outbox addressed to `to` (sign-up sends a verification mail too). */
const mailsTo = async (to: string) =>
  (await readOutbox(file.service.deps.config.mail.outboxDir)).filter((mail) => mail.to === to && /contraseña/.test(mail.subject));

describe('POST /auth/change-password', () => {
  it('changes the password, ends every session and answers the tokens of a new one; the user is mailed, with no secret', async () => {
    const email = await newUser('Ana');
    const phone = await tokens(email);
    const laptop = await tokens(email);
    const response = await change(laptop.access_token, { current_password: GOOD_PASSWORD, new_password: NEW_PASSWORD });
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    const fresh = response.json<{ access_token: string; refresh_token: string; token_type: string; expires_in: number }>();
    expect(fresh).toMatchObject({ token_type: 'bearer', expires_in: 1800 });

    // Every earlier session is over, the one that asked included; the new one works.
    for (const old of [phone, laptop]) {
      expect((await me(old.access_token)).statusCode).toBe(401);
      expect((await app().inject({ method: 'POST', url: '/auth/refresh', payload: { refresh_token: old.refresh_token } })).statusCode).toBe(401);
    }
    expect((await me(fresh.access_token)).statusCode).toBe(200);
    const listed = (await app().inject({ method: 'GET', url: '/auth/sessions', headers: bearer(fresh.access_token) })).json();
    expect(listed.sessions).toHaveLength(1);
    expect(listed.sessions[0].current).toBe(true);
    expect((await app().inject({ method: 'POST', url: '/auth/refresh', payload: { refresh_token: fresh.refresh_token } })).statusCode).toBe(200);

    // Only the new password logs in.
    expect((await login(email)).statusCode).toBe(401);
    expect((await login(email, NEW_PASSWORD)).statusCode).toBe(200);

    await expect.poll(async () => (await mailsTo(email)).length, EVENTUALLY).toBe(1);
    const [mail] = await mailsTo(email);
    expect(mail!.parsed.subject).toBe('Se ha cambiado tu contraseña de Acme Voice');
    expect(mail!.parsed.text).toContain('Ana');
    for (const secret of [GOOD_PASSWORD, NEW_PASSWORD, fresh.access_token, fresh.refresh_token, laptop.refresh_token]) {
      expect(mail!.raw).not.toContain(secret);
      expect(mail!.parsed.text).not.toContain(secret);
      expect(file.service.logs.text).not.toContain(secret);
      expect(response.body.includes(secret)).toBe(secret === fresh.access_token || secret === fresh.refresh_token);
    }
  });

  it('answers a wrong current password with 401 invalid_credentials, changes nothing, and counts it as a failed login', async () => {
    const email = await newUser();
    const session = await tokens(email);
    const failures = [];
    for (let i = 0; i < 3; i++) failures.push(await change(session.access_token, { current_password: 'not the password at all', new_password: NEW_PASSWORD }));
    for (const failure of failures) {
      expect(failure.statusCode).toBe(401);
      expect(failure.json().code).toBe('invalid_credentials');
      expect(failure.body).not.toContain('not the password at all');
    }
    expect((await me(session.access_token)).statusCode).toBe(200); // the session is not ended by a failed attempt
    // LOGIN_FAILURES_PER_ACCOUNT_PER_HOUR=3: from this address, no more attempts this hour, here or at /auth/login.
    const throttled = await change(session.access_token, { current_password: GOOD_PASSWORD, new_password: NEW_PASSWORD });
    expect(throttled.statusCode).toBe(429);
    expect(throttled.json().code).toBe('login_throttled');
    expect(Number(throttled.headers['retry-after'])).toBeGreaterThan(60);
    expect((await login(email)).json().code).toBe('login_throttled');
    expect(await mailsTo(email)).toHaveLength(0);
  });

  it('holds the new password to the sign-up policy, naming new_password', async () => {
    const email = await newUser();
    const session = await tokens(email);
    const common = await change(session.access_token, { current_password: GOOD_PASSWORD, new_password: 'password123' });
    expect(common.statusCode).toBe(422);
    expect(common.json()).toMatchObject({ code: 'password_too_common', errors: [{ field: 'new_password' }] });
    const short = await change(session.access_token, { current_password: GOOD_PASSWORD, new_password: 'short' });
    expect(short.statusCode).toBe(422);
    expect(short.json()).toMatchObject({ code: 'validation_failed', errors: [{ field: 'new_password' }] });
    const missing = await change(session.access_token, { new_password: NEW_PASSWORD });
    expect(missing.json()).toMatchObject({ code: 'validation_failed', errors: [{ field: 'current_password' }] });
    expect((await me(session.access_token)).statusCode).toBe(200);
    expect((await login(email)).statusCode).toBe(200);
  });

  it('wants a valid bearer token', async () => {
    const response = await app().inject({ method: 'POST', url: '/auth/change-password', payload: { current_password: GOOD_PASSWORD, new_password: NEW_PASSWORD } });
    expect(response.statusCode).toBe(401);
    expect(response.json().code).toBe('not_authenticated');
  });
});
