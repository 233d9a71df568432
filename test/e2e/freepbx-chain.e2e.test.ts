import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type FreepbxSimulator } from '../../tools/freepbx-sim/testing.ts';
import { startKamailio, type RunningKamailio } from './support/kamailio.ts';
import { registerWithLinphonec } from './support/linphonec.ts';
import { fetchSipCredentials, signUpOverHttp, startListeningService, type ListeningService } from './support/listening-service.ts';
import { waitUntil } from './support/processes.ts';
import { sipRegister } from './support/raw-sip.ts';

/** Long enough to observe the state between "the extension is written" and "Apply Config has executed". */
const RELOAD_DELAY_MS = 1_500;

/**
 * The chain API → FreePBX API → SIP registrar → softphone. The FreePBX simulator stands in for FreePBX and,
 * like a real FreePBX's Asterisk, only serves an extension once Apply Config has run: after each executed
 * reload it publishes its live extensions into a real Kamailio's `subscriber` table. The service runs with
 * PBX_DRIVER=freepbx pointing at the simulator (built from its configuration, OAuth client credentials).
 */
describe('API → FreePBX → SIP registrar → linphonec', () => {
  let kamailio: RunningKamailio;
  let sim: FreepbxSimulator;
  let api: ListeningService;

  beforeAll(async () => {
    kamailio = await startKamailio({ passwordStorage: 'plain' });
    sim = await startSimulator({
      reloadDelayMs: RELOAD_DELAY_MS,
      publishToKamailio: { databaseUrl: kamailio.databaseUrl, domain: kamailio.domain },
    });
    const client = sim.clients[0]!;
    api = await startListeningService({
      PBX_DRIVER: 'freepbx',
      FREEPBX_HOST: sim.url,
      FREEPBX_CLIENT_ID: client.clientId,
      FREEPBX_CLIENT_SECRET: client.clientSecret,
      SIP_DOMAIN: kamailio.domain,
      SIP_PORT: String(kamailio.port),
      SIP_TRANSPORT: 'udp',
      // Far shorter than one Apply Config: sign-up answers "pending".
      PROVISION_WAIT_MS: '100',
    });
  });

  afterAll(async () => {
    await api?.close();
    await sim?.stop();
    await kamailio?.stop();
  });

  const rawRegister = (username: string, password: string) =>
    sipRegister({ host: kamailio.host, port: kamailio.port, domain: kamailio.domain, username, password });

  it('the service is built with the FreePBX driver from PBX_DRIVER=freepbx', () => {
    expect(api.service.deps.driver.name).toBe('freepbx');
  });

  it('the softphone is refused until Apply Config has executed, then registers with the credentials GET /sip/credentials answers', async () => {
    const user = await signUpOverHttp(api.baseUrl, { displayName: 'Alan Turing' });
    expect(user.registration.body.provisioning_status).toBe('pending');
    const extension = user.registration.body.sip_extension;

    // Pending: no credentials yet, with a hint when to ask again.
    const early = await fetchSipCredentials(api.baseUrl, user.token);
    expect(early.status).toBe(409);
    expect(early.body.code).toBe('sip_account_pending');
    expect(Number(early.headers.get('retry-after'))).toBeGreaterThan(0);

    // The driver has written the extension with its secret and started Apply Config, which is still running.
    const secret = await waitUntil({
      timeoutMs: 10_000,
      intervalMs: 20,
      check: () =>
        sim.counters().reloadsStarted >= 1 ? sim.state.extensions().find((entry) => entry.extensionId === extension)?.secret : undefined,
      describeFailure: () => `the service did not create extension ${extension} and start Apply Config: ${JSON.stringify(sim.counters())}`,
    });
    expect(sim.state.liveSecret(extension)).toBeUndefined();

    // Before Apply Config has executed: the registrar does not know the account, the API still says pending.
    expect(await rawRegister(extension, secret)).toBe(403);
    expect((await fetchSipCredentials(api.baseUrl, user.token)).status).toBe(409);
    // (The refusal above happened while the reload was still running, not after it.)
    expect(sim.counters().reloadsExecuted).toBe(0);

    // After it: the API hands out the credentials, and they are exactly what the PBX made live.
    const credentials = await waitUntil({
      timeoutMs: 15_000,
      intervalMs: 200,
      check: async () => {
        const response = await fetchSipCredentials(api.baseUrl, user.token);
        return response.status === 200 ? response.body : undefined;
      },
      describeFailure: () => `GET /sip/credentials never answered 200: ${JSON.stringify(sim.counters())}`,
    });
    expect(sim.counters().reloadsExecuted).toBeGreaterThanOrEqual(1);
    expect(credentials).toMatchObject({
      username: extension,
      auth_username: extension,
      password: secret,
      domain: kamailio.domain,
      port: kamailio.port,
      transport: 'udp',
      display_name: 'Alan Turing',
    });
    expect(sim.state.liveSecret(extension)).toBe(credentials.password);

    const result = await registerWithLinphonec({ credentials, proxyHost: kamailio.host, proxyPort: credentials.port });
    expect(result.outcome, result.outcome === 'failed' ? `${result.logTail}\n--- kamailio ---\n${kamailio.logTail()}` : '').toBe('ok');
    // And a wrong password is still refused once the account is live.
    expect(await rawRegister(extension, `${secret}x`)).toBe(403);
  });
});
