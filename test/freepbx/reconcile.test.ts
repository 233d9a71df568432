import pino from 'pino';
import { eq, sql } from 'drizzle-orm';
import { reservedExtensions } from '../../src/modules/sip-accounts/sip-accounts.table.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFreepbxDriver } from '../../src/modules/pbx/freepbx/freepbx-driver.ts';
import { startSimulator, type FreepbxSimulator } from '../../tools/freepbx-sim/testing.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { createTestService, registerAndLogin, type TestService } from '../support/test-service.ts';
import { createAdminRolesRepository } from '../../src/modules/admin/admin-roles.repository.ts';
import { createAuditLogRepository } from '../../src/modules/admin/audit-log.repository.ts';
import { credentials, registerMany, waitUntilAllLive, SERVICE_RELOAD_DELAY_MS } from './freepbx-service.ts';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database?.close());

const driverFor = (sim: FreepbxSimulator) =>
  createFreepbxDriver({
    baseUrl: sim.url, clientId: sim.clients[0]!.clientId, clientSecret: sim.clients[0]!.clientSecret,
    requestTimeoutMs: 2000, applyTimeoutMs: 3000, applyPollIntervalMs: 20, logger: pino({ level: 'silent' }),
  });

// Each api version its own range, so the two runs share the file's database without seeing each other.
describe.each([[16, 2000], [17, 3000]] as const)('POST /admin/reconcile against the FreePBX simulator (api %i)', (apiVersion, first) => {
  let sim: FreepbxSimulator;
  let svc: TestService;
  beforeAll(async () => {
    sim = await startSimulator({ reloadDelayMs: SERVICE_RELOAD_DELAY_MS, apiVersion });
    svc = await createTestService({ database: database.handle, env: { EXTENSION_RANGE: `${first}-${first + 99}` }, overrides: { driver: driverFor(sim) } });
  });
  afterAll(async () => {
    await svc?.close();
    await sim?.stop();
  });
  const reconcile = (token: string | undefined, fix: boolean) =>
    svc.app.inject({ method: 'POST', url: '/admin/reconcile', headers: token ? { authorization: `Bearer ${token}` } : {}, payload: { fix } });

  it('finds a foreign, a missing, a drifted and an orphaned extension, and fix mends the last three in one Apply Config', async () => {
    const users = await registerMany(svc, 4, `rc${apiVersion}`);
    const creds = await waitUntilAllLive(svc, users);
    const [kept, missing, drifted, orphan] = creds.map((c) => c.username) as [string, string, string, string];
    const operator = await registerAndLogin(svc.app);
    await createAdminRolesRepository({ db: svc.deps.database.db }).grantAdmin(operator.email);
    await waitUntilAllLive(svc, [operator as never]);

    // By hand on the PBX: someone's extension in our range, one of ours deleted, one secret changed.
    const foreign = String(first + 90);
    sim.state.seedExtension({ extensionId: foreign, name: 'Reception', secret: 'reception-secret' });
    const byHand = driverFor(sim);
    await byHand.deleteAccount(missing);
    await byHand.updateAccount({ extension: drifted, secret: 'changed-on-the-pbx', displayName: 'x', email: 'x@example.test' });
    await byHand.applyChanges();
    // And here: an account gone without its extension leaving the PBX (a row deleted by hand).
    await svc.deps.database.db.execute(sql`delete from users where id = (select user_id from sip_accounts where extension = ${orphan})`);

    const report = await reconcile(operator.token, false);
    expect(report.statusCode).toBe(200);
    expect(report.json()).toMatchObject({
      driver: 'freepbx', range: { first, last: first + 99 }, fixed: false, jobs_queued: 0,
      missing_on_pbx: [{ extension: missing }], secret_drift: [{ extension: drifted }],
      orphans_on_pbx: [{ extension: orphan }], foreign: [{ extension: foreign }], in_flight: [],
    });
    const reserved = await svc.deps.database.db.select().from(reservedExtensions).where(eq(reservedExtensions.extension, foreign));
    expect(reserved).toMatchObject([{ reusableAfter: null }]);
    const [entry] = await createAuditLogRepository({ db: svc.deps.database.db }).page(1);
    expect(entry).toMatchObject({ action: 'reconcile.report', actorUserId: operator.register.json<{ id: string }>().id });

    const reloadsBefore = sim.counters().reloadsStarted;
    const fixed = await reconcile(operator.token, true);
    expect(fixed.json()).toMatchObject({ fixed: true, jobs_queued: 3 });
    const byNumber = new Map(creds.map((c) => [c.username, c.password]));
    await expect.poll(() => [sim.state.liveSecret(missing), sim.state.liveSecret(drifted), sim.state.liveSecret(orphan)], { timeout: 10_000 })
      .toEqual([byNumber.get(missing), byNumber.get(drifted), undefined]);
    expect(sim.counters().reloadsStarted - reloadsBefore).toBe(1);
    expect(sim.state.liveSecret(kept)).toBe(byNumber.get(kept));
    expect(sim.state.extensions().find((e) => e.extensionId === foreign)).toMatchObject({ name: 'Reception', secret: 'reception-secret' });

    await expect.poll(async () => (await reconcile(operator.token, false)).json(), { timeout: 5000 }).toMatchObject({
      missing_on_pbx: [], secret_drift: [], orphans_on_pbx: [], foreign: [{ extension: foreign }], in_flight: [],
    });
    expect((await credentials(svc, users[1]!.token)).json()).toMatchObject({ username: missing });
  });

  it('refuses a user who is not an admin (403 admin_required) and a request without a token (401)', async () => {
    const user = await registerAndLogin(svc.app);
    const refused = await reconcile(user.token, true);
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ code: 'admin_required' });
    expect((await reconcile(undefined, false)).statusCode).toBe(401);
  });
});
