import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { createTestDatabase, type TestDatabase } from './support/test-database.ts';
import { createScriptedPbx, pbxRefuses } from './support/pbx-doubles.ts';
import { createTestService, registerAndLogin, type TestService } from './support/test-service.ts';

// One database per service: a worker claims any due job, so two services on one database would run each other's.
let databases: TestDatabase[] = [];
/** A PBX that is live at once (like Kamailio). */
let direct: TestService;
let directPbx: ReturnType<typeof createScriptedPbx>;
/** A PBX whose changes are live only after a coalesced apply (like FreePBX). */
let applying: TestService;
let applyingPbx: ReturnType<typeof createScriptedPbx>;

beforeAll(async () => {
  databases = await Promise.all([createTestDatabase(), createTestDatabase()]);
  directPbx = createScriptedPbx();
  applyingPbx = createScriptedPbx({ needsApply: true });
  direct = await createTestService({ database: databases[0]!.handle, overrides: { driver: directPbx.driver } });
  applying = await createTestService({ database: databases[1]!.handle, env: { PROVISION_WAIT_MS: '300' }, overrides: { driver: applyingPbx.driver } });
});
afterAll(async () => {
  await applying?.close();
  await direct?.close();
  await Promise.all(databases.map((database) => database.close()));
});

const call = (svc: TestService, method: 'GET' | 'POST', url: string, bearer: string) =>
  svc.app.inject({ method, url, headers: { authorization: `Bearer ${bearer}` } });

async function liveUser(svc: TestService) {
  const { token } = await registerAndLogin(svc.app);
  for (let i = 0; i < 100; i++) {
    const credentials = await call(svc, 'GET', '/sip/credentials', token);
    if (credentials.statusCode === 200) return { bearer: token, credentials: credentials.json<{ username: string; password: string }>() };
    await sleep(50);
  }
  throw new Error('the account never became live');
}

describe('POST /sip/credentials/rotate', () => {
  it('on a PBX that is live at once, answers 200 active: the PBX and GET /sip/credentials have the new secret', async () => {
    const { bearer, credentials } = await liveUser(direct);
    expect(directPbx.live.get(credentials.username)).toBe(credentials.password);

    const rotation = await call(direct, 'POST', '/sip/credentials/rotate', bearer);
    expect(rotation.statusCode).toBe(200);
    expect(rotation.json()).toEqual({ status: 'active', extension: credentials.username, secret_version: 2 });

    const after = (await call(direct, 'GET', '/sip/credentials', bearer)).json<{ password: string }>();
    expect(after.password).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(after.password).not.toBe(credentials.password);
    expect(directPbx.live.get(credentials.username)).toBe(after.password);
    expect((await call(direct, 'POST', '/sip/credentials/rotate', bearer)).json()).toMatchObject({ status: 'active', secret_version: 3 });
  });

  it('keeps the old secret live until the PBX has applied the new one, and joins a rotation already under way', async () => {
    const { bearer, credentials } = await liveUser(applying);
    const release = applyingPbx.hold();
    let released = false;
    try {
      const rotation = await call(applying, 'POST', '/sip/credentials/rotate', bearer);
      expect(rotation.statusCode).toBe(202);
      expect(rotation.headers['retry-after']).toBe('5');
      expect(rotation.json()).toEqual({ status: 'pending', extension: credentials.username, secret_version: 2 });
      expect((await call(applying, 'GET', '/sip/credentials', bearer)).json().password).toBe(credentials.password);
      expect((await call(applying, 'GET', '/sip/credentials/rotation', bearer)).json()).toMatchObject({ status: 'pending', secret_version: 2 });

      const joined = await call(applying, 'POST', '/sip/credentials/rotate', bearer);
      expect(joined.json()).toEqual({ status: 'pending', extension: credentials.username, secret_version: 2 });
      release();
      released = true;

      let state = { status: 'pending' };
      for (let i = 0; i < 100 && state.status === 'pending'; i++) {
        await sleep(50);
        state = (await call(applying, 'GET', '/sip/credentials/rotation', bearer)).json();
      }
      expect(state).toEqual({ status: 'active', extension: credentials.username, secret_version: 2 });
      const after = (await call(applying, 'GET', '/sip/credentials', bearer)).json<{ password: string }>();
      expect(after.password).not.toBe(credentials.password);
      expect(applyingPbx.live.get(credentials.username)).toBe(after.password);
      expect(applyingPbx.calls.filter((c) => c.method === 'update' && c.extension === credentials.username)).toHaveLength(1);
    } finally {
      if (!released) release();
    }
  });

  it('when the PBX refuses the new secret, answers 502 and keeps the old secret live; rotating again retries', async () => {
    const { bearer, credentials } = await liveUser(direct);
    directPbx.failWith(pbxRefuses);
    try {
      const refused = await call(direct, 'POST', '/sip/credentials/rotate', bearer);
      expect(refused.statusCode).toBe(502);
      expect(refused.json()).toMatchObject({ code: 'secret_rotation_refused' });
    } finally {
      directPbx.failWith(undefined);
    }
    expect((await call(direct, 'GET', '/sip/credentials', bearer)).json().password).toBe(credentials.password);
    expect(directPbx.live.get(credentials.username)).toBe(credentials.password);
    expect((await call(direct, 'GET', '/sip/credentials/rotation', bearer)).json()).toMatchObject({ status: 'failed', secret_version: 2 });

    const retried = await call(direct, 'POST', '/sip/credentials/rotate', bearer);
    expect(retried.json()).toEqual({ status: 'active', extension: credentials.username, secret_version: 2 });
    const after = (await call(direct, 'GET', '/sip/credentials', bearer)).json<{ password: string }>();
    expect(after.password).not.toBe(credentials.password);
    expect(directPbx.live.get(credentials.username)).toBe(after.password);
  });

  it('needs a bearer token', async () => {
    expect((await direct.app.inject({ method: 'POST', url: '/sip/credentials/rotate' })).statusCode).toBe(401);
  });
});
