import { describe, expect, it } from 'vitest';
import { SignJWT, UnsecuredJWT } from 'jose';
import { GOOD_PASSWORD, registerAndLogin, serviceForThisFile, TEST_JWT_SECRET, uniqueEmail } from './support/test-service.ts';

const file = serviceForThisFile();

const login = (payload: Record<string, string>, form = false) =>
  file.service.app.inject({
    method: 'POST',
    url: '/auth/login',
    ...(form
      ? { payload: new URLSearchParams(payload).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } }
      : { payload }),
  });
const credentials = (token: string) =>
  file.service.app.inject({ method: 'GET', url: '/sip/credentials', headers: { authorization: `Bearer ${token}` } });

describe('POST /auth/login', () => {
  it('returns a bearer token for the right password, whatever the email case', async () => {
    const { email } = await registerAndLogin(file.service.app);
    const response = await login({ email: email.toUpperCase(), password: GOOD_PASSWORD });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ token_type: 'bearer', expires_in: 1800 });
    expect(response.json().access_token.split('.')).toHaveLength(3);
  });

  it('accepts the OAuth2 password form that the /docs Authorize button sends', async () => {
    const { email } = await registerAndLogin(file.service.app);
    const response = await login({ grant_type: 'password', username: email, password: GOOD_PASSWORD, scope: '' }, true);
    expect(response.statusCode).toBe(200);
    expect((await credentials(response.json().access_token)).statusCode).toBe(200);
  });

  it('gives a wrong password and an unknown email the same 401 body', async () => {
    const { email } = await registerAndLogin(file.service.app);
    const wrong = await login({ email, password: 'not the right passphrase' });
    const unknown = await login({ email: uniqueEmail('nobody'), password: 'not the right passphrase' });
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    const comparable = (body: Record<string, unknown>) => ({ ...body, request_id: undefined });
    expect(comparable(wrong.json())).toEqual(comparable(unknown.json()));
    expect(wrong.json().code).toBe('invalid_credentials');
  });

  it('spends about as long on an unknown email as on a wrong password', async () => {
    const { email } = await registerAndLogin(file.service.app);
    await login({ email: uniqueEmail(), password: 'warm up the dummy hash' });
    const time = async (payload: Record<string, string>) => {
      const start = process.hrtime.bigint();
      await login(payload);
      return Number(process.hrtime.bigint() - start) / 1e6;
    };
    const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    const wrong: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 5; i++) {
      wrong.push(await time({ email, password: 'wrong passphrase here' }));
      unknown.push(await time({ email: uniqueEmail(), password: 'wrong passphrase here' }));
    }
    // Both paths run one argon2id verification (tens of ms); without the dummy hash the unknown path takes ~1 ms.
    expect(median(unknown)).toBeGreaterThan(median(wrong) * 0.5);
    expect(median(unknown)).toBeLessThan(median(wrong) * 2);
  });

  it('answers 422 naming email when neither email nor username is sent', async () => {
    const response = await login({ password: GOOD_PASSWORD });
    expect(response.statusCode).toBe(422);
    expect(response.json().errors).toEqual([{ field: 'email', message: 'is required' }]);
  });

  it('answers a NUL byte or another control character in the form field username with 422, not a 500', async () => {
    for (const username of ['alice\u0000@example.com', '\u0000', 'bob\u001b@example.com']) {
      const response = await login({ username, password: GOOD_PASSWORD }, true);
      expect(response.statusCode).toBe(422);
      expect(response.json()).toMatchObject({ code: 'validation_failed', errors: [{ field: 'username' }] });
    }
  });
});

describe('access tokens', () => {
  const key = new TextEncoder().encode(TEST_JWT_SECRET);
  const claims = (userId: string) =>
    new SignJWT({}).setSubject(userId).setIssuer('voip-onboarding-api').setAudience('voip-onboarding-api').setJti('j1').setIssuedAt();

  async function userIdOf(token: string): Promise<string> {
    const me = await file.service.app.inject({ method: 'GET', url: '/auth/me', headers: { authorization: `Bearer ${token}` } });
    return me.json().id;
  }

  it('refuses a request without a token with 401 and WWW-Authenticate', async () => {
    const response = await file.service.app.inject({ method: 'GET', url: '/sip/credentials' });
    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toBe('Bearer');
    expect(response.json().code).toBe('not_authenticated');
  });

  it('refuses a token whose payload was tampered with', async () => {
    const { token } = await registerAndLogin(file.service.app);
    const other = await registerAndLogin(file.service.app);
    const [header, , signature] = token.split('.');
    const forgedPayload = Buffer.from(JSON.stringify({ sub: await userIdOf(other.token), iss: 'voip-onboarding-api', aud: 'voip-onboarding-api', jti: 'x', iat: 1, exp: 9999999999 })).toString('base64url');
    expect((await credentials(`${header}.${forgedPayload}.${signature}`)).statusCode).toBe(401);
  });

  it('refuses an expired token', async () => {
    const { token } = await registerAndLogin(file.service.app);
    const now = Math.floor(Date.now() / 1000);
    const expired = await claims(await userIdOf(token)).setProtectedHeader({ alg: 'HS256' }).setIssuedAt(now - 3600).setExpirationTime(now - 60).sign(key);
    expect((await credentials(expired)).statusCode).toBe(401);
  });

  it('refuses an unsigned token (alg: none)', async () => {
    const { token } = await registerAndLogin(file.service.app);
    const unsigned = new UnsecuredJWT({}).setSubject(await userIdOf(token)).setIssuer('voip-onboarding-api').setAudience('voip-onboarding-api').setJti('j').setIssuedAt().setExpirationTime('5m').encode();
    expect((await credentials(unsigned)).statusCode).toBe(401);
  });

  it('refuses a token signed with another key, issuer or audience, and accepts a correct one', async () => {
    const { token } = await registerAndLogin(file.service.app);
    const userId = await userIdOf(token);
    const sign = (builder: SignJWT, signingKey = key) => builder.setProtectedHeader({ alg: 'HS256' }).setExpirationTime('5m').sign(signingKey);
    expect((await credentials(await sign(claims(userId), new TextEncoder().encode('another-key-that-is-long-enough-0123456789')))).statusCode).toBe(401);
    expect((await credentials(await sign(claims(userId).setIssuer('someone-else')))).statusCode).toBe(401);
    expect((await credentials(await sign(claims(userId).setAudience('someone-else')))).statusCode).toBe(401);
    expect((await credentials(await sign(claims(userId)))).statusCode).toBe(200);
  });

  it('refuses a correctly signed token whose sub is not a user id with 401, never a 500', async () => {
    for (const subject of ['not-a-uuid', "1' or '1'='1", '00000000-0000-0000-0000-00000000000g', '']) {
      const forged = await claims(subject).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('5m').sign(key);
      for (const url of ['/auth/me', '/sip/credentials', '/sip/credentials/linphone-xml']) {
        const response = await file.service.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${forged}` } });
        expect(response.statusCode).toBe(401);
        expect(response.json().code).toBe('not_authenticated');
      }
    }
  });

  it('refuses a token issued in the future beyond a few seconds of clock skew', async () => {
    const { token } = await registerAndLogin(file.service.app);
    const userId = await userIdOf(token);
    const now = Math.floor(Date.now() / 1000);
    const issuedAt = (iat: number) => claims(userId).setIssuedAt(iat).setProtectedHeader({ alg: 'HS256' }).setExpirationTime(now + 3600).sign(key);
    expect((await credentials(await issuedAt(now + 3600))).statusCode).toBe(401);
    expect((await credentials(await issuedAt(now + 60))).statusCode).toBe(401);
    expect((await credentials(await issuedAt(now + 2))).statusCode).toBe(200);
  });
});
