import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './support/test-database.ts';
import { createTestService, registerAndLogin, TEST_ENCRYPTION_KEY, TEST_JWT_SECRET, type TestService } from './support/test-service.ts';
import { createScriptedPbx, pbxDown } from './support/pbx-doubles.ts';

let database: TestDatabase;
let service: TestService;
const pbx = createScriptedPbx();

beforeAll(async () => {
  database = await createTestDatabase();
  service = await createTestService({ database: database.handle, env: { LOG_LEVEL: 'trace', PROVISION_WAIT_MS: '300' }, overrides: { driver: pbx.driver } });
});
afterAll(async () => {
  await service?.close();
  await database?.close();
});

describe('logs', () => {
  it('never contain a password, SIP secret, access token, Authorization header or key, even at trace level and on PBX failures', async () => {
    const password = 'my very secret passphrase 77';
    // First the PBX is down (errors and retries are logged), then it comes back.
    pbx.failWith(pbxDown);
    const { token } = await registerAndLogin(service.app, { password });
    pbx.failWith(undefined);
    let sipSecret = '';
    await expect
      .poll(async () => {
        const response = await service.app.inject({ method: 'GET', url: '/sip/credentials', headers: { authorization: `Bearer ${token}` } });
        sipSecret = response.statusCode === 200 ? response.json().password : '';
        return response.statusCode;
      }, { timeout: 5000 })
      .toBe(200);
    await service.app.inject({ method: 'POST', url: '/auth/login', payload: `username=x%40example.com&password=${encodeURIComponent(password)}`, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    await service.app.inject({ method: 'GET', url: '/auth/me', headers: { authorization: `Bearer ${token}x` } });

    const logs = service.logs.text;
    expect(logs).toContain('PBX call failed; will retry'); // the failure path was really logged
    expect(logs).toContain('"url":"/sip/credentials"');
    for (const secret of [password, encodeURIComponent(password), sipSecret, token, TEST_JWT_SECRET, TEST_ENCRYPTION_KEY]) {
      expect(secret.length).toBeGreaterThan(8);
      expect(logs).not.toContain(secret);
    }
    expect(logs.toLowerCase()).not.toContain('bearer ');
  });
});
