import net from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { amiSettingsFor, markRegistered, startSimulator } from '../../../tools/freepbx-sim/testing.ts';
import { createAmiClient } from '../../../src/modules/pbx/freepbx/ami/ami-client.ts';
import { CONTACT_STATUSES_ACTION, readAmiRegistrations } from '../../../src/modules/pbx/freepbx/ami/ami-registrations.ts';
import { PbxError } from '../../../src/modules/pbx/pbx-driver.ts';
import { API_VERSIONS, DRIVER_RELOAD_DELAY_MS, rejection, type Sim } from '../../support/freepbx-driver-harness.ts';

const TIMEOUT_MS = 300;

describe.each(API_VERSIONS)('FreePBX AMI client against the simulator (api %i: the AMI is the same)', (apiVersion) => {
  let sim: Sim;
  beforeAll(async () => {
    sim = await startSimulator({
      reloadDelayMs: DRIVER_RELOAD_DELAY_MS,
      apiVersion,
      ami: {
        users: [
          { username: 'onboarding', secret: 'ami-secret-0f9d7c2b', write: ['system'] },
          { username: 'reporting-only', secret: 'ami-secret-reporting', write: ['reporting'] },
        ],
      },
    });
  });
  beforeEach(() => sim.reset());
  afterAll(() => sim.stop());

  const client = (overrides: { username?: string; secret?: string } = {}) => createAmiClient({ settings: amiSettingsFor(sim, overrides), timeoutMs: TIMEOUT_MS });
  const live = (...extensions: string[]) => extensions.forEach((extensionId) => sim.state.seedExtension({ extensionId }));

  it('logs in, runs the action and logs off, on one connection per use', async () => {
    const answer = await client().session((send) => send('Ping'));
    expect(answer.response).toMatchObject({ response: 'Success', ping: 'Pong' });
    expect(sim.counters().ami).toEqual({ connections: 1, logins: 1, loginFailures: 0, logoffs: 1, actions: { Ping: 1 } });
  });

  it('a wrong secret is a clear, non-retryable credentials error that never holds the secret', async () => {
    const wrong = 'not-the-secret-7731';
    const error = await rejection(client({ secret: wrong }).session((send) => send('Ping')));
    expect(error).toBeInstanceOf(PbxError);
    expect(error).toMatchObject({ kind: 'auth', retryable: false });
    expect(error.message).toContain('Authentication failed');
    expect(error.message).toContain('FREEPBX_AMI_SECRET');
    expect(error.message).not.toContain(wrong);
    expect(error.message).not.toContain('ami-secret-0f9d7c2b');
    expect(sim.counters().ami).toMatchObject({ logins: 0, loginFailures: 1, actions: {} });
  });

  it('a manager user without write permission "system" gets a credentials error that says so', async () => {
    live('1000');
    markRegistered(sim, '1000', 'Linphone/5.2');
    const error = await rejection(readAmiRegistrations(client({ username: 'reporting-only', secret: 'ami-secret-reporting' }), ['1000']));
    expect(error).toMatchObject({ name: 'PbxError', kind: 'auth', message: expect.stringContaining('write permission "system"') });
    expect(error.message).toContain(CONTACT_STATUSES_ACTION);
  });

  it('an AMI that accepts the connection and says nothing fails within the timeout, retryably', async () => {
    sim.faults.setAmiSilent(true);
    const started = Date.now();
    const error = await rejection(client().session((send) => send('Ping')));
    expect(error).toMatchObject({ name: 'PbxError', kind: 'unavailable', retryable: true, message: expect.stringContaining(`sent no banner within ${TIMEOUT_MS} ms`) });
    expect(Date.now() - started).toBeLessThan(TIMEOUT_MS + 1000);
  });

  it('reads several contacts from the event list, answering only the extensions asked about, one entry each', async () => {
    live('1000', '1001', '1002', '1003');
    markRegistered(sim, '1000', 'LinphoneAndroid/5.2.5 (Pixel 7) LinphoneSDK/5.3.47', { status: 'Reachable' });
    markRegistered(sim, '1000', 'Linphonec/5.1.65'); // a second phone on the same account
    markRegistered(sim, '1001', undefined, { status: 'Unreachable' }); // no User-Agent; qualify pings unanswered
    markRegistered(sim, '1002', 'Zoiper/5.6', { status: 'Unknown' });
    markRegistered(sim, '1003', 'NotAsked/1.0');

    const found = await readAmiRegistrations(client(), ['1000', '1001', '1002', '1004']);
    const contacts = sim.state.contacts().filter((contact) => contact.aor === '1000');
    expect(found.sort((a, b) => a.extension.localeCompare(b.extension))).toEqual([
      // Asterisk lists contacts by ID; the first listed of an extension is the one answered.
      { extension: '1000', userAgent: contacts[0]!.userAgent },
      { extension: '1001', userAgent: null },
      { extension: '1002', userAgent: 'Zoiper/5.6' },
    ]);
    expect(sim.counters().ami?.actions).toEqual({ [CONTACT_STATUSES_ACTION]: 1 });
  });

  it('answers nothing for nobody registered (the list is empty, not an error), and asks nothing for no extensions', async () => {
    live('1000');
    expect(await readAmiRegistrations(client(), ['1000'])).toEqual([]);
    expect(await readAmiRegistrations(client(), [])).toEqual([]);
    expect(sim.counters().ami?.connections).toBe(1);
  });

  it('a phone cannot register with an extension Asterisk does not have live', () => {
    sim.state.seedExtension({ extensionId: '1000', live: false });
    expect(() => markRegistered(sim, '1000', 'Linphone/5.2')).toThrow(/not live/);
  });
});

describe('FreePBX AMI client against what is not a working AMI', () => {
  const settings = { host: '127.0.0.1', tls: false, username: 'onboarding', secret: 'ami-secret-0f9d7c2b' };

  it('a refused connection is a retryable unavailable naming the address', async () => {
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const error = await rejection(createAmiClient({ settings: { ...settings, port }, timeoutMs: TIMEOUT_MS }).session(async () => undefined));
    expect(error).toMatchObject({ name: 'PbxError', kind: 'unavailable', retryable: true, message: `FreePBX AMI at 127.0.0.1:${port} is unreachable (ECONNREFUSED)` });
  });

  it('a server that is not Asterisk\'s manager interface is said to be so', async () => {
    const ssh = net.createServer((socket) => socket.end('SSH-2.0-OpenSSH_9.6\r\n'));
    await new Promise<void>((resolve) => ssh.listen(0, '127.0.0.1', resolve));
    try {
      const port = (ssh.address() as net.AddressInfo).port;
      const error = await rejection(createAmiClient({ settings: { ...settings, port }, timeoutMs: TIMEOUT_MS }).session(async () => undefined));
      expect(error).toMatchObject({ kind: 'unavailable', message: expect.stringContaining('not an Asterisk Manager Interface') });
    } finally {
      await new Promise<void>((resolve) => ssh.close(() => resolve()));
    }
  });
});
