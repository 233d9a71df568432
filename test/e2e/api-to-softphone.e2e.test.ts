import pLimit from 'p-limit';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SipCredentials } from '../../src/modules/sip-accounts/sip-credentials.ts';
import { startKamailio, type RunningKamailio } from './support/kamailio.ts';
import { registerWithLinphonec } from './support/linphonec.ts';
import { fetchSipCredentials, signUpOverHttp, startListeningService, type ListeningService } from './support/listening-service.ts';
import { sipRegister } from './support/raw-sip.ts';
import { runSippRegister } from './support/sipp.ts';

/**
 * The whole path with nothing faked: a person signs up over HTTP, the service (PBX_DRIVER=kamailio, built from
 * its configuration) writes the subscriber row, GET /sip/credentials hands out the credentials, and a real
 * softphone registers with exactly those fields at a real Kamailio.
 *
 * The SIP domain is 127.0.0.1, the registrar's own address: the softphone is given nothing but the
 * credentials (its proxy is `domain:port;transport`), as a user typing them into a phone would.
 */
describe('API to softphone: credentials from GET /sip/credentials register at Kamailio', () => {
  let kamailio: RunningKamailio;
  let api: ListeningService;

  beforeAll(async () => {
    kamailio = await startKamailio({ passwordStorage: 'plain', domain: '127.0.0.1' });
    api = await startListeningService({
      PBX_DRIVER: 'kamailio',
      KAMAILIO_DATABASE_URL: kamailio.databaseUrl,
      SIP_DOMAIN: kamailio.domain,
      SIP_PORT: String(kamailio.port),
      SIP_TRANSPORT: 'udp',
    });
  });

  afterAll(async () => {
    await api?.close();
    await kamailio?.stop();
  });

  async function credentialsOfNewUser(displayName?: string): Promise<SipCredentials> {
    const user = await signUpOverHttp(api.baseUrl, { displayName });
    expect(user.registration.body.provisioning_status).toBe('active');
    const credentials = await fetchSipCredentials(api.baseUrl, user.token);
    expect(credentials.status, JSON.stringify(credentials.body)).toBe(200);
    return credentials.body;
  }

  /** The softphone's only input is the credentials: proxy, identity and auth all come from them. */
  const linphonecWith = (credentials: SipCredentials) =>
    registerWithLinphonec({ credentials, proxyHost: credentials.domain, proxyPort: credentials.port });

  it('the service is built with the Kamailio driver from PBX_DRIVER=kamailio', () => {
    expect(api.service.deps.driver.name).toBe('kamailio');
  });

  it('linphonec registers with exactly the fields of GET /sip/credentials (LinphoneRegistrationOk)', async () => {
    const credentials = await credentialsOfNewUser('Ada Lovelace');
    expect(credentials).toMatchObject({ domain: kamailio.domain, port: kamailio.port, transport: 'udp', display_name: 'Ada Lovelace' });
    expect(credentials.auth_username).toBe(credentials.username);

    const result = await linphonecWith(credentials);
    expect(result.outcome, result.outcome === 'failed' ? `${result.logTail}\n--- kamailio ---\n${kamailio.logTail()}` : '').toBe('ok');
  });

  it('the same credentials with a wrong password are refused with 403, by linphonec and by a raw client', async () => {
    const credentials = await credentialsOfNewUser();
    const wrong = { ...credentials, password: `${credentials.password.slice(0, -1)}${credentials.password.endsWith('x') ? 'y' : 'x'}` };

    const result = await linphonecWith(wrong);
    expect(result.outcome).toBe('failed');
    expect(result.outcome === 'failed' && result.logTail).toContain('Register refresher [403]');

    const raw = (password: string) =>
      sipRegister({ host: credentials.domain, port: credentials.port, domain: credentials.domain, username: credentials.username, authUsername: credentials.auth_username, password });
    expect(await raw(wrong.password)).toBe(403);
    // The refusal is about the password alone: the right one still registers.
    expect(await raw(credentials.password)).toBe(200);
  });

  it('sipp registers 50 users created through the API with digest auth, all 200 OK', async () => {
    const limit = pLimit(8);
    const all = await Promise.all(Array.from({ length: 50 }, () => limit(() => credentialsOfNewUser())));
    expect(new Set(all.map((credentials) => credentials.username)).size).toBe(50);

    const result = await runSippRegister({
      host: kamailio.host,
      port: kamailio.port,
      domain: kamailio.domain,
      users: all.map((credentials) => ({ username: credentials.username, password: credentials.password })),
    });
    expect(result, result.outputTail).toMatchObject({ successful: 50, failed: 0, exitCode: 0 });

    // Each registration was stored by Kamailio (usrloc writes through to `location`).
    const sql = new pg.Client({ connectionString: kamailio.databaseUrl });
    await sql.connect();
    try {
      const { rows } = await sql.query<{ username: string }>('select distinct username from location where domain = $1 and username = any($2)', [
        kamailio.domain,
        all.map((credentials) => credentials.username),
      ]);
      expect(rows).toHaveLength(50);
    } finally {
      await sql.end();
    }
  });
});
