import type { FastifyReply, FastifyRequest, LightMyRequestResponse } from 'fastify';
import { describe, expect, it } from 'vitest';
import { createRefreshCookie } from '../src/modules/auth/refresh-cookie.ts';
import { GOOD_PASSWORD, registerAndLogin, serviceForThisFile } from './support/test-service.ts';

// The web page's session: its refresh token in an HttpOnly cookie, only when it asks (X-Refresh-Cookie: 1);
// apps' JSON flow exactly as before.
const file = serviceForThisFile({ env: { REFRESH_TOKEN_EXPIRE_DAYS: '7' } });

const WEB = { 'x-refresh-cookie': '1' };
type Answer = LightMyRequestResponse;
const setCookie = (answer: Answer) => [answer.headers['set-cookie'] ?? []].flat();
/** The cookie's value as the browser would send it back. */
const cookieOf = (answer: Answer) => /^refresh_token=([^;]*)/.exec(setCookie(answer)[0] ?? '')?.[1] ?? '';

async function webLogin() {
  const user = await registerAndLogin(file.service.app);
  const login = await file.service.app.inject({ method: 'POST', url: '/auth/login', headers: WEB, payload: { email: user.email, password: GOOD_PASSWORD } });
  return { user, login };
}

const refreshWithCookie = (value: string, headers: Record<string, string> = WEB) =>
  file.service.app.inject({ method: 'POST', url: '/auth/refresh', headers: { ...headers, cookie: `other=1; refresh_token=${value}` }, payload: {} });

describe('the refresh-token cookie of the web page', () => {
  it('is set on login only when asked, HttpOnly, SameSite=Strict, scoped to the refresh route, and replaces refresh_token in the body', async () => {
    const { user, login } = await webLogin();
    expect(login.statusCode).toBe(200);
    const body = login.json<Record<string, unknown>>();
    expect(body).toEqual({ access_token: expect.any(String), token_type: 'bearer', expires_in: expect.any(Number), refresh_token_expires_in: 7 * 86_400 });
    const [cookie] = setCookie(login);
    expect(cookie).toMatch(/^refresh_token=[A-Za-z0-9_-]{20,}; /);
    expect(cookie!.split('; ').slice(1).sort()).toEqual(['HttpOnly', 'Max-Age=604800', 'Path=/auth/refresh', 'SameSite=Strict']);

    // An app's login (no header) is as it always was: both tokens in the body, no cookie.
    const app = await file.service.app.inject({ method: 'POST', url: '/auth/login', payload: { email: user.email, password: GOOD_PASSWORD } });
    expect(app.json()).toMatchObject({ access_token: expect.any(String), refresh_token: expect.any(String), refresh_token_expires_in: 7 * 86_400 });
    expect(app.headers['set-cookie']).toBeUndefined();
  });

  it('refreshes the session from the cookie, rotating it, and the new access token works', async () => {
    const { login } = await webLogin();
    const refreshed = await refreshWithCookie(cookieOf(login));
    expect(refreshed.statusCode).toBe(200);
    expect(refreshed.json()).not.toHaveProperty('refresh_token');
    expect(cookieOf(refreshed)).not.toBe(cookieOf(login));
    expect(cookieOf(refreshed)).not.toBe('');
    const me = await file.service.app.inject({ url: '/auth/me', headers: { authorization: `Bearer ${refreshed.json<{ access_token: string }>().access_token}` } });
    expect(me.statusCode).toBe(200);

    // The spent cookie presented again is a reuse: refused, dropped, and its whole session ended.
    const reused = await refreshWithCookie(cookieOf(login));
    expect([reused.statusCode, reused.json().code]).toEqual([401, 'invalid_refresh_token']);
    expect(setCookie(reused)[0]).toMatch(/^refresh_token=; .*Max-Age=0/);
    expect((await refreshWithCookie(cookieOf(refreshed))).statusCode).toBe(401);
  });

  it('is never read without the header: the body flow of apps is unchanged', async () => {
    const { login } = await webLogin();
    // A request carrying the cookie but not the header (a cross-site form could not send the header) gets the old 422.
    const withoutHeader = await refreshWithCookie(cookieOf(login), {});
    expect([withoutHeader.statusCode, withoutHeader.json().code]).toEqual([422, 'validation_failed']);
    expect(withoutHeader.json().errors).toEqual([{ field: 'refresh_token', message: "must have required property 'refresh_token'" }]);
    expect(withoutHeader.headers['set-cookie']).toBeUndefined();
    // And the cookie is still good for the page.
    expect((await refreshWithCookie(cookieOf(login))).statusCode).toBe(200);

    const { refreshToken } = await registerAndLogin(file.service.app);
    const app = await file.service.app.inject({ method: 'POST', url: '/auth/refresh', payload: { refresh_token: refreshToken } });
    expect(app.statusCode).toBe(200);
    expect(app.json()).toMatchObject({ refresh_token: expect.any(String) });
    expect(app.headers['set-cookie']).toBeUndefined();
  });

  it('answers the page 401 invalid_refresh_token when it has no cookie (nothing to resume)', async () => {
    const answer = await file.service.app.inject({ method: 'POST', url: '/auth/refresh', headers: WEB, payload: {} });
    expect([answer.statusCode, answer.json().code]).toEqual([401, 'invalid_refresh_token']);
  });

  it('is cleared by logout and by logout-all, whose session it can then no longer refresh', async () => {
    for (const url of ['/auth/logout', '/auth/logout-all']) {
      const { login } = await webLogin();
      const token = login.json<{ access_token: string }>().access_token;
      const logout = await file.service.app.inject({ method: 'POST', url, headers: { ...WEB, authorization: `Bearer ${token}` } });
      expect(logout.statusCode, url).toBe(204);
      expect(setCookie(logout)).toEqual(['refresh_token=; Path=/auth/refresh; HttpOnly; SameSite=Strict; Max-Age=0']);
      expect((await refreshWithCookie(cookieOf(login))).statusCode, url).toBe(401);
    }
  });

  it('moves into the cookie the new session a password change starts, when the page asks', async () => {
    const { login } = await webLogin();
    const changed = await file.service.app.inject({
      method: 'POST',
      url: '/auth/change-password',
      headers: { ...WEB, authorization: `Bearer ${login.json<{ access_token: string }>().access_token}` },
      payload: { current_password: GOOD_PASSWORD, new_password: 'another unusual passphrase 43' },
    });
    expect(changed.statusCode).toBe(200);
    expect(changed.json()).not.toHaveProperty('refresh_token');
    expect((await refreshWithCookie(cookieOf(changed))).statusCode).toBe(200);
  });
});

describe('the cookie behind https and a path prefix', () => {
  it('is Secure, named with the __Secure- prefix, and scoped to the prefixed refresh route', () => {
    const cookie = createRefreshCookie({ publicBaseUrl: 'https://voip.example.com/phones' });
    const headers: Record<string, string> = {};
    const reply = { header: (name: string, value: string) => (headers[name] = value) } as unknown as FastifyReply;
    const asking = { headers: { 'x-refresh-cookie': '1', cookie: '__Secure-refresh_token=abc' } } as unknown as FastifyRequest;
    const body = cookie.answer(asking, reply, { accessToken: 'access', refreshToken: 'refresh' }, { accessSeconds: 60, refreshSeconds: 120 });
    expect(body).not.toHaveProperty('refresh_token');
    expect(headers['set-cookie']).toBe('__Secure-refresh_token=refresh; Path=/phones/auth/refresh; HttpOnly; SameSite=Strict; Secure; Max-Age=120');
    expect(cookie.read(asking)).toBe('abc');
    expect(cookie.read({ headers: { cookie: '__Secure-refresh_token=abc' } } as unknown as FastifyRequest)).toBeUndefined();
  });
});
