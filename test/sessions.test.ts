import { sql } from 'drizzle-orm';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { queryRows } from '../src/db/database.ts';
import { createTestService, GOOD_PASSWORD, registerAndLogin, serviceForThisFile, TEST_JWT_SECRET, uniqueEmail, type TestService } from './support/test-service.ts';

// At trace level: the last test proves no log line holds a token, even there.
const file = serviceForThisFile({ env: { LOG_LEVEL: 'trace' } });
const app = () => file.service.app;

/** Every access and refresh token this file was given or presented. */
const seen = new Set<string>();
const remember = <T extends { body: string }>(answer: T): T => {
  const body = answer.body.startsWith('{') ? (JSON.parse(answer.body) as Record<string, unknown>) : {};
  for (const key of ['access_token', 'refresh_token']) if (typeof body[key] === 'string') seen.add(body[key]);
  return answer;
};
const login = async (email: string, headers: Record<string, string> = {}) =>
  remember(await app().inject({ method: 'POST', url: '/auth/login', payload: { email, password: GOOD_PASSWORD }, headers }));
const refresh = async (refreshToken: string, svc: TestService = file.service) => {
  seen.add(refreshToken);
  return remember(await svc.app.inject({ method: 'POST', url: '/auth/refresh', payload: { refresh_token: refreshToken } }));
};
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const me = (token: string, svc: TestService = file.service) => svc.app.inject({ method: 'GET', url: '/auth/me', headers: bearer(token) });
const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
const sessionRow = async (id: string) =>
  (await queryRows<{ revoked_at: unknown; revoke_reason: string | null; expires_at: unknown; user_agent: string | null }>(
    file.database.handle.db,
    sql`select revoked_at, revoke_reason, expires_at, user_agent from sessions where id = ${id}`,
  ))[0];

/** A user with one session: its tokens, as POST /auth/login answered them. */
async function signedIn(headers: Record<string, string> = {}) {
  const email = uniqueEmail('session');
  expect((await app().inject({ method: 'POST', url: '/auth/register', payload: { email, password: GOOD_PASSWORD } })).statusCode).toBe(201);
  const answer = (await login(email, headers)).json<{ access_token: string; refresh_token: string }>();
  return { email, access: answer.access_token, refresh: answer.refresh_token, sessionId: claimsOf(answer.access_token).sid as string };
}

describe('POST /auth/login', () => {
  it('answers a refresh token beside the access token, which names its session (sid) and keeps every earlier claim', async () => {
    const { email } = await registerAndLogin(app());
    const response = await login(email);
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body).toMatchObject({ token_type: 'bearer', expires_in: 1800, refresh_token_expires_in: 30 * 86_400 });
    expect(body.refresh_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Object.keys(claimsOf(body.access_token)).sort()).toEqual(['aud', 'exp', 'iat', 'iss', 'jti', 'sid', 'sub']);
    // Stored as a hash only.
    const stored = await queryRows<{ token_hash: string }>(file.database.handle.db, sql`select token_hash from refresh_tokens where session_id = ${claimsOf(body.access_token).sid as string}`);
    expect(stored).toHaveLength(1);
    expect(stored[0]!.token_hash).not.toContain(body.refresh_token);
  });

  it('answers a refresh token on the OAuth2 password form too', async () => {
    const { email } = await registerAndLogin(app());
    const response = await app().inject({
      method: 'POST',
      url: '/auth/login',
      payload: new URLSearchParams({ grant_type: 'password', username: email, password: GOOD_PASSWORD }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(response.statusCode).toBe(200);
    expect((await refresh(response.json().refresh_token)).statusCode).toBe(200);
  });
});

describe('POST /auth/refresh', () => {
  it('spends the refresh token for a new access token and a new refresh token, in the same session', async () => {
    const session = await signedIn();
    const response = await refresh(session.refresh);
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body).toMatchObject({ token_type: 'bearer', expires_in: 1800, refresh_token_expires_in: 30 * 86_400 });
    expect(body.refresh_token).not.toBe(session.refresh);
    expect(claimsOf(body.access_token).sid).toBe(session.sessionId);
    expect((await me(body.access_token)).statusCode).toBe(200);
    expect((await me(session.access)).statusCode).toBe(200); // the session lives on: so does its older access token
    const next = await refresh(body.refresh_token);
    expect(next.statusCode).toBe(200);
  });

  it('accepts the OAuth2 refresh form', async () => {
    const session = await signedIn();
    const response = await app().inject({
      method: 'POST',
      url: '/auth/refresh',
      payload: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: session.refresh }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(response.statusCode).toBe(200);
  });

  it('ends the whole session when a spent refresh token is presented again (reuse), and says so in the log without the token', async () => {
    const session = await signedIn();
    const rotated = (await refresh(session.refresh)).json<{ access_token: string; refresh_token: string }>();
    const reused = await refresh(session.refresh);
    expect(reused.statusCode).toBe(401);
    expect(reused.json()).toMatchObject({ code: 'invalid_refresh_token', status: 401 });
    expect(reused.body).not.toContain(session.refresh);
    // Everything of that session is refused now: the newest refresh token and every access token.
    expect((await refresh(rotated.refresh_token)).json().code).toBe('invalid_refresh_token');
    for (const access of [rotated.access_token, session.access]) {
      const refused = await me(access);
      expect(refused.statusCode).toBe(401);
      expect(refused.json().code).toBe('not_authenticated');
    }
    expect(await sessionRow(session.sessionId)).toMatchObject({ revoke_reason: 'refresh_token_reused' });
    expect(file.service.logs.text).toContain('A spent refresh token was presented again');
    for (const secret of [session.refresh, rotated.refresh_token]) expect(file.service.logs.text).not.toContain(secret);
  });

  it('lets one of two refreshes with one token at once win, on two instances, and the other end the session', async () => {
    const other = await createTestService({ database: file.database.handle });
    try {
      for (let round = 0; round < 3; round++) {
        const session = await signedIn();
        const answers = await Promise.all([refresh(session.refresh), refresh(session.refresh, other)]);
        expect(answers.map((answer) => answer.statusCode).sort()).toEqual([200, 401]);
        const winner = answers.find((answer) => answer.statusCode === 200)!.json<{ access_token: string; refresh_token: string }>();
        expect(answers.find((answer) => answer.statusCode === 401)!.json().code).toBe('invalid_refresh_token');
        // The loser's reuse ended the session: what the winner got is refused too, on both instances.
        expect((await refresh(winner.refresh_token)).statusCode).toBe(401);
        await expect.poll(async () => (await me(winner.access_token, other)).statusCode, { timeout: 5000 }).toBe(401);
        expect((await me(winner.access_token)).statusCode).toBe(401);
        expect(await sessionRow(session.sessionId)).toMatchObject({ revoke_reason: 'refresh_token_reused' });
      }
    } finally {
      await other.close();
    }
  });

  it('refuses an unknown, a made-up or a lapsed refresh token with one 401, and a missing one with 422', async () => {
    const session = await signedIn();
    await file.database.handle.db.execute(sql`update sessions set expires_at = now() - interval '1 second' where id = ${session.sessionId}`);
    const bodies = [];
    for (const token of ['A'.repeat(43), 'not a token at all', session.refresh]) {
      const response = await refresh(token);
      expect(response.statusCode).toBe(401);
      bodies.push({ ...response.json(), request_id: undefined });
    }
    expect(new Set(bodies.map((body) => JSON.stringify(body))).size).toBe(1);
    expect((await me(session.access)).statusCode).toBe(401); // a lapsed session's access token too
    const missing = await app().inject({ method: 'POST', url: '/auth/refresh', payload: {} });
    expect(missing.statusCode).toBe(422);
    expect(missing.json().code).toBe('validation_failed');
  });

  it('keeps the session alive: expiry moves forward, the address and user agent are the latest', async () => {
    const session = await signedIn({ 'user-agent': 'OldPhone/1.0' });
    await file.database.handle.db.execute(sql`update sessions set expires_at = now() + interval '1 day' where id = ${session.sessionId}`);
    const before = await sessionRow(session.sessionId);
    await app().inject({ method: 'POST', url: '/auth/refresh', payload: { refresh_token: session.refresh }, headers: { 'user-agent': 'NewPhone/2.0' } });
    const after = await sessionRow(session.sessionId);
    expect(new Date(String(after!.expires_at)).getTime()).toBeGreaterThan(new Date(String(before!.expires_at)).getTime() + 28 * 86_400_000);
    expect(after!.user_agent).toBe('NewPhone/2.0');
  });

  it('answers 403 user_inactive for a deactivated user, without spending the token', async () => {
    const session = await signedIn();
    await file.database.handle.db.execute(sql`update users set is_active = false where lower(email) = lower(${session.email})`);
    const response = await refresh(session.refresh);
    expect(response.statusCode).toBe(403);
    expect(response.json().code).toBe('user_inactive');
    // The refusal spent nothing: reactivated, the same refresh token works.
    await file.database.handle.db.execute(sql`update users set is_active = true where lower(email) = lower(${session.email})`);
    expect((await refresh(session.refresh)).statusCode).toBe(200);
  });
});

describe('POST /auth/logout and /auth/logout-all', () => {
  it('logout ends this session only: its access and refresh tokens are refused at once here, soon on every instance', async () => {
    const other = await createTestService({ database: file.database.handle });
    try {
      const session = await signedIn();
      const second = (await login(session.email)).json<{ access_token: string; refresh_token: string }>();
      expect((await me(session.access, other)).statusCode).toBe(200); // the other instance now holds it as live
      const response = await app().inject({ method: 'POST', url: '/auth/logout', headers: bearer(session.access) });
      expect(response.statusCode).toBe(204);
      expect(response.body).toBe('');
      expect((await me(session.access)).statusCode).toBe(401);
      await expect.poll(async () => (await me(session.access, other)).statusCode, { timeout: 5000 }).toBe(401);
      expect((await refresh(session.refresh)).statusCode).toBe(401);
      expect(await sessionRow(session.sessionId)).toMatchObject({ revoke_reason: 'logout' });
      // The user's other device is still signed in.
      expect((await me(second.access_token)).statusCode).toBe(200);
      expect((await refresh(second.refresh_token)).statusCode).toBe(200);
    } finally {
      await other.close();
    }
  });

  it('logout-all ends every session of the user, and no one else\'s', async () => {
    const session = await signedIn();
    const second = (await login(session.email)).json<{ access_token: string; refresh_token: string }>();
    const stranger = await signedIn();
    const response = await app().inject({ method: 'POST', url: '/auth/logout-all', headers: bearer(second.access_token) });
    expect(response.statusCode).toBe(204);
    for (const access of [session.access, second.access_token]) expect((await me(access)).statusCode).toBe(401);
    for (const token of [session.refresh, second.refresh_token]) expect((await refresh(token)).statusCode).toBe(401);
    expect((await me(stranger.access)).statusCode).toBe(200);
  });

  it('both want a valid bearer token', async () => {
    for (const url of ['/auth/logout', '/auth/logout-all']) {
      const response = await app().inject({ method: 'POST', url });
      expect(response.statusCode).toBe(401);
      expect(response.json().code).toBe('not_authenticated');
    }
  });
});

describe('GET /auth/sessions and DELETE /auth/sessions/{id}', () => {
  it('lists the user\'s live sessions, the current one marked, with address and user agent and nothing secret', async () => {
    const session = await signedIn({ 'user-agent': 'Linphone/5.2 (Android)' });
    const second = (await login(session.email, { 'user-agent': 'curl/8.0' })).json<{ access_token: string }>();
    const ended = (await login(session.email)).json<{ access_token: string }>();
    await app().inject({ method: 'POST', url: '/auth/logout', headers: bearer(ended.access_token) });
    const response = await app().inject({ method: 'GET', url: '/auth/sessions', headers: bearer(second.access_token) });
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    const { sessions } = response.json<{ sessions: Array<Record<string, unknown>> }>();
    expect(sessions).toHaveLength(2);
    expect(sessions[0]).toMatchObject({ user_agent: 'curl/8.0', current: true, ip_address: '127.0.0.1' });
    expect(sessions[1]).toMatchObject({ id: session.sessionId, user_agent: 'Linphone/5.2 (Android)', current: false });
    expect(Object.keys(sessions[0]!).sort()).toEqual(['created_at', 'current', 'expires_at', 'id', 'ip_address', 'last_used_at', 'user_agent']);
    expect(response.body).not.toContain(session.refresh);
  });

  it('ends one of the user\'s own sessions, and answers 404 for someone else\'s, an unknown or a malformed id, or one already ended', async () => {
    const session = await signedIn();
    const second = (await login(session.email)).json<{ access_token: string }>();
    const stranger = await signedIn();
    const end = (id: string, token = second.access_token) => app().inject({ method: 'DELETE', url: `/auth/sessions/${id}`, headers: bearer(token) });

    const notFound = [];
    for (const id of [stranger.sessionId, '00000000-0000-4000-8000-000000000000', 'not-a-uuid']) notFound.push(await end(id));
    expect((await me(stranger.access)).statusCode).toBe(200);

    const ended = await end(session.sessionId);
    expect(ended.statusCode).toBe(204);
    expect((await me(session.access)).statusCode).toBe(401);
    expect((await refresh(session.refresh)).statusCode).toBe(401);
    expect(await sessionRow(session.sessionId)).toMatchObject({ revoke_reason: 'ended_by_user' });
    notFound.push(await end(session.sessionId));

    for (const response of notFound) {
      expect(response.statusCode).toBe(404);
      // `instance` is the path, so it names the id asked about; everything else is the same.
      const comparable = (body: Record<string, unknown>) => ({ ...body, request_id: undefined, instance: undefined });
      expect(comparable(response.json())).toEqual(comparable(notFound[0]!.json()));
    }
    expect(notFound[0]!.json().code).toBe('session_not_found');
  });
});

describe('access tokens and sessions', () => {
  const key = new TextEncoder().encode(TEST_JWT_SECRET);
  const sign = (claims: Record<string, unknown>, userId: string) =>
    new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setSubject(userId).setIssuer('voip-onboarding-api').setAudience('voip-onboarding-api').setJti('j').setIssuedAt().setExpirationTime('5m').sign(key);

  it('still accepts a token issued before sessions existed (no sid) until it expires; logging out with it ends nothing', async () => {
    const session = await signedIn();
    const legacy = await sign({}, claimsOf(session.access).sub as string);
    expect((await me(legacy)).statusCode).toBe(200);
    expect((await app().inject({ method: 'POST', url: '/auth/logout', headers: bearer(legacy) })).statusCode).toBe(204);
    expect((await me(session.access)).statusCode).toBe(200);
  });

  it('refuses a correctly signed token whose sid is no session, not a session id, or another user\'s session', async () => {
    const session = await signedIn();
    const stranger = await signedIn();
    const userId = claimsOf(session.access).sub as string;
    for (const sid of ['00000000-0000-4000-8000-000000000000', 'not-a-uuid', 42, stranger.sessionId]) {
      expect((await me(await sign({ sid }, userId))).statusCode, String(sid)).toBe(401);
    }
  });
});

describe('secrets', () => {
  it('no log line of this file holds an access or refresh token, at trace level', () => {
    expect(seen.size).toBeGreaterThan(40);
    const logs = file.service.logs.text;
    expect(logs).toContain('"url":"/auth/refresh"'); // the requests were logged
    for (const token of seen) if (token.length > 20) expect(logs).not.toContain(token);
  });
});
