import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './support/test-database.ts';
import { createTestService, registerAndLogin, type TestService } from './support/test-service.ts';
import { createScriptedPbx, pbxDown, pbxRefuses } from './support/pbx-doubles.ts';

// Each test runs its own service with a scripted PBX. Only one service (so one worker) runs at a time on
// this file's database: any worker would otherwise pick up the others' jobs, as instances do in production.
let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.close();
});

const get = (svc: TestService, url: string, token: string) =>
  svc.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });

describe('an account the PBX has not made live yet', () => {
  it('registers as pending, answers 409 sip_account_pending with Retry-After, then becomes active when the PBX is back', async () => {
    const pbx = createScriptedPbx();
    pbx.failWith(pbxDown);
    const svc = await createTestService({ database: database.handle, env: { PROVISION_WAIT_MS: '200', EXTENSION_RANGE: '30000-30999' }, overrides: { driver: pbx.driver } });
    try {
      const { token, register } = await registerAndLogin(svc.app);
      expect(register.statusCode).toBe(201);
      expect(register.json().provisioning_status).toBe('pending');

      const pending = await get(svc, '/sip/credentials', token);
      expect(pending.statusCode).toBe(409);
      expect(pending.json().code).toBe('sip_account_pending');
      expect(Number(pending.headers['retry-after'])).toBeGreaterThan(0);

      const me = (await get(svc, '/auth/me', token)).json();
      expect(me.sip_account).toMatchObject({ status: 'pending', extension: register.json().sip_extension });
      expect(me.sip_account.last_error).toContain('cannot be reached');
      expect(me.sip_account.last_error).not.toContain('127.0.0.1'); // internal addresses stay in the logs

      pbx.failWith(undefined);
      await expect.poll(async () => (await get(svc, '/sip/credentials', token)).statusCode, { timeout: 5000 }).toBe(200);
      expect((await get(svc, '/auth/me', token)).json().sip_account).toMatchObject({ status: 'active', last_error: null });
      expect(pbx.live.has(register.json().sip_extension)).toBe(true);
    } finally {
      await svc.close();
    }
  });

  it('reports a permanent PBX refusal as 409 sip_account_failed and shows the reason in /auth/me', async () => {
    const pbx = createScriptedPbx();
    pbx.failWith(pbxRefuses);
    const svc = await createTestService({ database: database.handle, env: { EXTENSION_RANGE: '31000-31999' }, overrides: { driver: pbx.driver } });
    try {
      const { token, register } = await registerAndLogin(svc.app);
      expect(register.json().provisioning_status).toBe('failed');
      const response = await get(svc, '/sip/credentials', token);
      expect(response.statusCode).toBe(409);
      expect(response.json().code).toBe('sip_account_failed');
      expect((await get(svc, '/auth/me', token)).json().sip_account.last_error).toContain('license limit');
    } finally {
      await svc.close();
    }
  });
});

