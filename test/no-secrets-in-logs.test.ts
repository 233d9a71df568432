import { describe, expect, it } from 'vitest';
import { registerAndLogin, serviceForThisFile, TEST_ENCRYPTION_KEY, TEST_JWT_SECRET } from './support/test-service.ts';
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
