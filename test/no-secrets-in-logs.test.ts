import { describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { createTestService, GOOD_PASSWORD, registerAndLogin, serviceForThisFile, TEST_ENCRYPTION_KEY, TEST_JWT_SECRET, uniqueEmail } from './support/test-service.ts';
import { createTestDatabase } from './support/test-database.ts';
import { createScriptedPbx, pbxDown } from './support/pbx-doubles.ts';

const pbx = createScriptedPbx();
const file = serviceForThisFile({ env: { LOG_LEVEL: 'trace', PROVISION_WAIT_MS: '300' }, overrides: { driver: pbx.driver } });

describe('logs', () => {
  it('never contain a password, SIP secret, access token, Authorization header or key, even at trace level and on PBX failures', async () => {
    const password = 'my very secret passphrase 77';
    // First the PBX is down (errors and retries are logged), then it comes back.
    pbx.failWith(pbxDown);
    const { token } = await registerAndLogin(file.service.app, { password });
    pbx.failWith(undefined);
    let sipSecret = '';
    await expect
      .poll(async () => {
        const response = await file.service.app.inject({ method: 'GET', url: '/sip/credentials', headers: { authorization: `Bearer ${token}` } });
        sipSecret = response.statusCode === 200 ? response.json().password : '';
        return response.statusCode;
      }, { timeout: 5000 })
      .toBe(200);
    await file.service.app.inject({ method: 'POST', url: '/auth/login', payload: `username=x%40example.com&password=${encodeURIComponent(password)}`, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    await file.service.app.inject({ method: 'GET', url: '/auth/me', headers: { authorization: `Bearer ${token}x` } });

    const logs = file.service.logs.text;
    expect(logs).toContain('PBX call failed; will retry'); // the failure path was really logged
    expect(logs).toContain('"url":"/sip/credentials"');
    for (const secret of [password, encodeURIComponent(password), sipSecret, token, TEST_JWT_SECRET, TEST_ENCRYPTION_KEY]) {
      expect(secret.length).toBeGreaterThan(8);
      expect(logs).not.toContain(secret);
    }
    expect(logs.toLowerCase()).not.toContain('bearer ');
  });
});

describe('logs of failed database queries and of sensitive URLs', () => {
  it('never hold a query parameter (password hash, email, display name) when an INSERT fails, causes included', async () => {
    const database = await createTestDatabase();
    const service = await createTestService({ database: database.handle, startWorker: false });
    try {
      // Every sign-up's INSERT now fails inside the database, as a full disk or a broken replica would make it.
      await database.handle.db.execute(sql`alter table users add constraint refuse_all check (email = 'nobody') not valid`);
      const email = uniqueEmail('insert-fails');
      const response = await service.app.inject({
        method: 'POST',
        url: '/auth/register',
        payload: { email, password: GOOD_PASSWORD, display_name: 'Zebulon Quartermain' },
      });
      expect(response.statusCode).toBe(500);
      const logs = service.logs.text;
      expect(logs).toContain('Unhandled error');
      expect(logs).toContain('Failed query: insert into \\"users\\"'); // the query is there, its values are not
      expect(logs).toContain('refuse_all');
      for (const value of [email, email.split('@')[0]!, '$argon2id', 'Zebulon']) expect(logs).not.toContain(value);
    } finally {
      await service.close();
      await database.close();
    }
  });

  it('drop the query string of /auth and /provisioning URLs', async () => {
    const { app, logs } = file.service;
    const password = 'password-in-a-query-string-91';
    await app.inject({ method: 'POST', url: `/auth/login?password=${password}&email=q%40example.com`, payload: { email: 'q@example.com', password } });
    await app.inject({ method: 'GET', url: `/provisioning/${'A'.repeat(43)}/qr.png?secret=${password}` });
    await app.inject({ method: 'GET', url: `/auth/me?api_key=${password}` });
    expect(logs.text).toContain('"url":"/auth/login"');
    expect(logs.text).toContain('"url":"/provisioning/[redacted]/qr.png"');
    expect(logs.text).toContain('"url":"/auth/me"');
    expect(logs.text).not.toContain(password);
    expect(logs.text).not.toContain('q%40example.com');
  });
});
