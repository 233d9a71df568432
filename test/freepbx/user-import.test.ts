import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFreepbxDriver } from '../../src/modules/pbx/freepbx/freepbx-driver.ts';
import { startSimulator, type FreepbxSimulator } from '../../tools/freepbx-sim/testing.ts';
import { mailsTo, onlyTokenIn } from '../support/outbox.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { createTestService, GOOD_PASSWORD, registerAndLogin, uniqueEmail, type TestService } from '../support/test-service.ts';
import { createAdminRolesRepository } from '../../src/modules/admin/admin-roles.repository.ts';

/** Slower than the rows take to create, as a real FreePBX reload (30 s and more) is. */
const RELOAD_DELAY_MS = 400;

let database: TestDatabase;
let sim: FreepbxSimulator;
let svc: TestService;
beforeAll(async () => {
  [database, sim] = await Promise.all([createTestDatabase(), startSimulator({ reloadDelayMs: RELOAD_DELAY_MS, apiVersion: 17 })]);
  svc = await createTestService({
    database: database.handle,
    env: { EXTENSION_RANGE: '4000-4999', PROVISION_WAIT_MS: '0' },
    overrides: {
      driver: createFreepbxDriver({
        baseUrl: sim.url, clientId: sim.clients[0]!.clientId, clientSecret: sim.clients[0]!.clientSecret,
        // Generous: on a loaded machine a call or a reload that runs out of time is retried, and each retry wave
        // costs an Apply Config of its own, which is not what this test counts.
        requestTimeoutMs: 30_000, applyTimeoutMs: 60_000, applyPollIntervalMs: 50, logger: pino({ level: 'silent' }),
      }),
    },
  });
});
afterAll(async () => {
  await svc?.close();
  await sim?.stop();
  await database?.close();
});

const post = (token: string, csv: string, contentType = 'text/csv') =>
  svc.app.inject({ method: 'POST', url: '/admin/imports', headers: { authorization: `Bearer ${token}`, 'content-type': contentType }, payload: csv });
const progress = (token: string, id: string) => svc.app.inject({ method: 'GET', url: `/admin/imports/${id}`, headers: { authorization: `Bearer ${token}` } });

async function anAdmin() {
  const operator = await registerAndLogin(svc.app);
  await createAdminRolesRepository({ db: svc.deps.database.db }).grantAdmin(operator.email);
  return operator;
}

describe('POST /admin/imports on FreePBX', () => {
  it('creates 500 users with live extensions in at most 3 Apply Configs, and reports each bad row by its line', async () => {
    const operator = await anAdmin();
    const taken = await registerAndLogin(svc.app);
    const tag = Math.random().toString(36).slice(2, 8);
    const good = Array.from({ length: 500 }, (_, i) => `imp${i}-${tag}@example.test,"Staff ${i}, Sales"`);
    const csv = [
      'email,display_name,extension',
      ...good.slice(0, 250),
      'not an email,Nobody', // line 252
      `${taken.email},Already Here`, // line 253
      `chosen-${tag}@example.test,Chosen,4900`, // line 254
      `far-${tag}@example.test,Far,9999`, // line 255
      `imp0-${tag}@example.test,Twice`, // line 256
      'bad"quote@example.test,Q', // line 257
      ...good.slice(250),
    ].join('\r\n');
    // The two sign-ups above are provisioned on their own: once they are live, their reloads are over and
    // counted before, so every reload counted below is the import's.
    for (const user of [operator, taken]) {
      await expect.poll(async () => (await svc.app.inject({ url: '/sip/credentials', headers: { authorization: `Bearer ${user.token}` } })).statusCode, { timeout: 60_000, interval: 100 }).toBe(200);
    }
    const reloadsBefore = sim.counters().reloadsStarted;

    const started = await post(operator.token, csv);
    expect(started.statusCode).toBe(202);
    const { id } = started.json<{ id: string }>();

    await expect.poll(async () => (await progress(operator.token, id)).json().counts.live, { timeout: 150_000, interval: 500 }).toBe(501);
    const body = (await progress(operator.token, id)).json();
    expect(body).toMatchObject({ total: 506, counts: { pending: 0, created: 501, invalid: 4, failed: 1, live: 501 } });
    expect(body.finished_at).not.toBeNull();
    const byLine = new Map(body.rows.map((row: { line: number }) => [row.line, row]));
    expect(byLine.get(252)).toMatchObject({ status: 'invalid', error: 'the email is not a valid address' });
    expect(byLine.get(253)).toMatchObject({ status: 'failed', error: 'the email is already registered' });
    expect(byLine.get(254)).toMatchObject({ status: 'created', extension: '4900', account_status: 'active' });
    expect(byLine.get(255)).toMatchObject({ status: 'invalid', error: 'the extension must be a number from 4000 to 4999' });
    expect(byLine.get(256)).toMatchObject({ status: 'invalid', error: 'the same email is on an earlier line' });
    expect(byLine.get(257)).toMatchObject({ status: 'invalid', error: 'not valid CSV: a quote inside a field that does not start with one' });
    expect(byLine.get(2)).toMatchObject({ status: 'created', email: `imp0-${tag}@example.test`, account_status: 'active' });
    expect(sim.counters().reloadsStarted - reloadsBefore).toBeLessThanOrEqual(3);
    expect(sim.state.liveSecret('4900')).toBeDefined();

    // The invitation is a password-reset link: choosing a password through it opens the account.
    const invited = `imp7-${tag}@example.test`;
    const [mail] = await mailsTo(svc.deps.config.mail.outboxDir, invited, /invited/i);
    expect((await svc.app.inject({ method: 'POST', url: '/auth/login', payload: { email: invited, password: GOOD_PASSWORD } })).statusCode).toBe(401);
    const reset = await svc.app.inject({ method: 'POST', url: '/auth/reset-password', payload: { token: onlyTokenIn(mail!), new_password: GOOD_PASSWORD } });
    expect(reset.statusCode).toBe(204);
    const login = await svc.app.inject({ method: 'POST', url: '/auth/login', payload: { email: invited, password: GOOD_PASSWORD } });
    expect(login.statusCode).toBe(200);
    const creds = await svc.app.inject({ method: 'GET', url: '/sip/credentials', headers: { authorization: `Bearer ${login.json().access_token}` } });
    expect(sim.state.liveSecret(creds.json().username)).toBe(creds.json().password);
    // The invitation went to the address and was used: that proves it.
    const me = await svc.app.inject({ method: 'GET', url: '/auth/me', headers: { authorization: `Bearer ${login.json().access_token}` } });
    expect(me.json()).toMatchObject({ email_verified: true });
  }, 200_000);

  it('answers 403 admin_required to a user who is not an admin, 404 for an unknown import, 422 for a JSON body instead of CSV', async () => {
    const user = await registerAndLogin(svc.app);
    expect((await post(user.token, `${uniqueEmail()},X`)).json()).toMatchObject({ status: 403, code: 'admin_required' });
    expect((await progress(user.token, '00000000-0000-0000-0000-000000000000')).statusCode).toBe(403);
    const operator = await anAdmin();
    expect((await progress(operator.token, '00000000-0000-0000-0000-000000000000')).json()).toMatchObject({ status: 404, code: 'import_not_found' });
    expect((await post(operator.token, '{"email":"x"}', 'application/json')).statusCode).toBe(422);
  });
});
