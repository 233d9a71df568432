import net from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { API_VERSIONS, DELETE, gql, RELOAD_DELAY_MS, token, type Sim } from './test-helpers.ts';
import { startSimulator } from './testing.ts';

/** A raw AMI conversation: sends `actions` one after the other, returns everything the server sent until it closed or went quiet. */
async function talk(sim: Sim, actions: string[], quietMs = 150): Promise<string> {
  const socket = net.connect(sim.ami.port, sim.ami.host);
  socket.setEncoding('utf8');
  let text = '';
  let lastData = Date.now();
  socket.on('data', (chunk: string) => ((text += chunk), (lastData = Date.now())));
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  socket.on('error', () => undefined);
  await new Promise((resolve) => socket.once('data', resolve));
  for (const action of actions) socket.write(action);
  await Promise.race([closed, (async () => { while (Date.now() - lastData < quietMs) await new Promise((r) => setTimeout(r, 20)); })()]);
  socket.destroy();
  return text;
}

const action = (fields: Record<string, string>) => `${Object.entries(fields).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;
const SECRET = 'sim-ami-secret-31a4';
const login = action({ Action: 'Login', ActionID: 'l1', Username: 'onboarding', Secret: SECRET, Events: 'off' });

describe.each(API_VERSIONS)('FreePBX simulator: Asterisk\'s manager interface (api %i)', (apiVersion) => {
  let sim: Sim;
  beforeAll(async () => {
    sim = await startSimulator({ reloadDelayMs: RELOAD_DELAY_MS, apiVersion, ami: { users: [{ username: 'onboarding', secret: SECRET, write: ['system'] }] } });
  });
  beforeEach(() => sim.reset());
  afterAll(() => sim.stop());

  it('greets with the banner, accepts the manager user\'s login, and says goodbye on Logoff', async () => {
    const text = await talk(sim, [login, action({ Action: 'Logoff', ActionID: 'l2' })]);
    expect(text).toBe([
      'Asterisk Call Manager/13.0.0\r\n',
      'Response: Success\r\nActionID: l1\r\nMessage: Authentication accepted\r\n\r\n',
      'Response: Goodbye\r\nActionID: l2\r\nMessage: Thanks for all the fish.\r\n\r\n',
    ].join(''));
  });

  it('refuses a wrong secret with "Authentication failed" and ends the session; refuses actions before login', async () => {
    const wrong = await talk(sim, [action({ Action: 'Login', ActionID: 'x', Username: 'onboarding', Secret: 'nope' }), action({ Action: 'Ping' })]);
    expect(wrong).toContain('Response: Error\r\nActionID: x\r\nMessage: Authentication failed\r\n\r\n');
    expect(wrong).not.toContain('Pong');
    expect(await talk(sim, [action({ Action: 'PJSIPShowContacts', ActionID: 'p' })])).toContain('Response: Error\r\nActionID: p\r\nMessage: Permission denied\r\n\r\n');
  });

  it('lists registered phones as ContactStatusDetail events from its state, closed by the complete event', async () => {
    sim.state.seedExtension({ extensionId: '1000' });
    sim.state.registerPhone({ extensionId: '1000', userAgent: 'Linphone/5.2', status: 'Reachable' });
    const text = await talk(sim, [login, action({ Action: 'PJSIPShowRegistrationInboundContactStatuses', ActionID: 'c1' })]);
    const [contact] = sim.state.contacts();
    expect(text).toContain('Response: Success\r\nActionID: c1\r\nEventList: start\r\nMessage: Following are ContactStatusEvents for each Inbound registration\r\n\r\n');
    expect(text).toContain(`Event: ContactStatusDetail\r\nActionID: c1\r\nAOR: 1000\r\nURI: ${contact!.uri}\r\nUserAgent: Linphone/5.2\r\nRegExpire: ${contact!.expiresAt}\r\n`);
    expect(text).toContain(`Status: Reachable\r\nRoundtripUsec: 1520\r\nEndpointName: 1000\r\nID: 1000;@`);
    expect(text).toMatch(/Event: ContactStatusDetailComplete\r\nActionID: c1\r\nEventList: Complete\r\nListItems: 1\r\n\r\n$/);
  });

  it('answers PJSIPShowContacts as Asterisk does: an error when there are none, else ContactList events', async () => {
    expect(await talk(sim, [login, action({ Action: 'PJSIPShowContacts', ActionID: 'c' })])).toContain('Response: Error\r\nActionID: c\r\nMessage: No Contacts found\r\n\r\n');
    sim.state.seedExtension({ extensionId: '1000' });
    sim.state.registerPhone({ extensionId: '1000', userAgent: 'Zoiper/5.6' });
    const text = await talk(sim, [login, action({ Action: 'PJSIPShowContacts', ActionID: 'c' })]);
    expect(text).toContain('Event: ContactList\r\nActionID: c\r\nObjectType: contact\r\nObjectName: 1000;@');
    expect(text).toContain('UserAgent: Zoiper/5.6\r\n');
    expect(text).toContain('Status: NonQualified\r\nRoundtripUsec: N/A\r\n');
    expect(text).toContain('Event: ContactListComplete\r\nActionID: c\r\nEventList: Complete\r\nListItems: 1\r\n');
  });

  it('marks a phone registered over the control route, only with a live extension, and forgets it when the extension is deleted', async () => {
    const post = (body: unknown) => fetch(`${sim.url}/__sim/registrations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await post({ extensionId: '1000', userAgent: 'Linphone/5.2' })).status).toBe(409);
    sim.state.seedExtension({ extensionId: '1000' });
    const created = await post({ extensionId: '1000', userAgent: 'Linphone/5.2', status: 'Unreachable' });
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ aor: '1000', userAgent: 'Linphone/5.2', status: 'Unreachable' });
    expect((await (await fetch(`${sim.url}/__sim/registrations`)).json()).contacts).toHaveLength(1);

    const bearer = await token(sim);
    expect((await gql(sim, bearer, DELETE, { input: { extensionId: '1000' } })).body.data.deleteExtension.status).toBe(true);
    expect(sim.state.contacts()).toEqual([]);
  });

  it('a silent AMI accepts the connection and sends nothing, not even the banner', async () => {
    sim.faults.setAmiSilent(true);
    const socket = net.connect(sim.ami.port, sim.ami.host);
    let received = '';
    socket.on('data', (chunk) => (received += String(chunk)));
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(login);
    await new Promise((resolve) => setTimeout(resolve, 200));
    socket.destroy();
    expect(received).toBe('');
    expect(sim.counters().ami).toMatchObject({ connections: 1, logins: 0 });
  });
});
