import { describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { queryRows } from '../src/db/database.ts';
import { registerAndLogin, serviceForThisFile, type TestService } from './support/test-service.ts';

const file = serviceForThisFile({ env: { SIP_PORT: '5080', SIP_TRANSPORT: 'tcp' } });

const get = (svc: TestService, url: string, token: string) =>
  svc.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });

describe('GET /sip/credentials', () => {
  it('returns the live account in the original contract shape, not cacheable', async () => {
    const { token, register } = await registerAndLogin(file.service.app, { displayName: 'Alice Example' });
    const response = await get(file.service, '/sip/credentials', token);
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    const body = response.json();
    const extension = register.json().sip_extension;
    expect(body).toEqual({
      username: extension,
      auth_username: extension,
      password: body.password,
      domain: 'sip.test.local',
      port: 5080,
      transport: 'tcp',
      display_name: 'Alice Example',
      proxy: null,
      media_encryption: 'none',
    });
    expect(body.password).toMatch(/^[A-Za-z0-9]{32}$/);
  });

  it('uses the local part of the email as display name when none was given', async () => {
    const { token, email } = await registerAndLogin(file.service.app);
    expect((await get(file.service, '/sip/credentials', token)).json().display_name).toBe(email.split('@')[0]);
  });

  it('gives every user a different secret and stores it encrypted, not in clear', async () => {
    const a = await registerAndLogin(file.service.app);
    const b = await registerAndLogin(file.service.app);
    const secretA = (await get(file.service, '/sip/credentials', a.token)).json().password;
    const secretB = (await get(file.service, '/sip/credentials', b.token)).json().password;
    expect(secretA).not.toBe(secretB);
    const rows = await queryRows<{ secret_ciphertext: string }>(
      file.database.handle.db,
      sql`select secret_ciphertext from sip_accounts where extension = ${a.register.json().sip_extension}`,
    );
    expect(rows[0]!.secret_ciphertext).not.toContain(secretA);
    expect(rows[0]!.secret_ciphertext.startsWith('v1.')).toBe(true);
  });
});

describe('GET /auth/me', () => {
  it('shows the user and the live SIP account', async () => {
    const { token, email, register } = await registerAndLogin(file.service.app);
    const me = await get(file.service, '/auth/me', token);
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({
      id: register.json().id,
      email,
      is_active: true,
      sip_account: { extension: register.json().sip_extension, status: 'active', last_error: null, provisioning_attempts: 1 },
    });
    expect(me.json()).not.toHaveProperty('password_hash');
  });
});
