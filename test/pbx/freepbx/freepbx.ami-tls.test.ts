import fs from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { amiSettingsFor, markRegistered, startSimulator } from '../../../tools/freepbx-sim/testing.ts';
import { createAmiClient } from '../../../src/modules/pbx/freepbx/ami/ami-client.ts';
import { readAmiRegistrations } from '../../../src/modules/pbx/freepbx/ami/ami-registrations.ts';
import { DRIVER_RELOAD_DELAY_MS, rejection, type Sim } from '../../support/freepbx-driver-harness.ts';

// A throw-away CA and a certificate it issued for 127.0.0.1 (fixtures/ami-tls/README.md says how they were made).
const fixture = (name: string) => fs.readFileSync(new URL(`fixtures/ami-tls/${name}`, import.meta.url), 'utf8');

describe('FreePBX AMI over TLS (FREEPBX_AMI_TLS=true, manager.conf tlsenable)', () => {
  let sim: Sim;
  beforeAll(async () => {
    sim = await startSimulator({ reloadDelayMs: DRIVER_RELOAD_DELAY_MS, ami: { tls: { key: fixture('server.key'), cert: fixture('server.pem') } } });
  });
  beforeEach(() => sim.reset());
  afterAll(() => sim.stop());

  it('reads the registrations through TLS when the certificate is trusted', async () => {
    sim.state.seedExtension({ extensionId: '1000' });
    markRegistered(sim, '1000', 'Linphone/5.2');
    const ami = createAmiClient({ settings: amiSettingsFor(sim, { tls: true, ca: fixture('ca.pem') }), timeoutMs: 1000 });
    expect(await readAmiRegistrations(ami, ['1000'])).toEqual([{ extension: '1000', userAgent: 'Linphone/5.2' }]);
  });

  it('refuses a certificate it does not trust, saying it is the TLS handshake, and sends no secret', async () => {
    const ami = createAmiClient({ settings: amiSettingsFor(sim, { tls: true }), timeoutMs: 1000 });
    const error = await rejection(ami.session(async () => undefined));
    expect(error).toMatchObject({ name: 'PbxError', kind: 'unavailable', message: expect.stringContaining('TLS handshake failed') });
    expect(sim.counters().ami).toMatchObject({ logins: 0, loginFailures: 0 });
  });

  it('a plain-TCP client on the TLS port gets no banner and fails within its timeout', async () => {
    const ami = createAmiClient({ settings: amiSettingsFor(sim, { tls: false }), timeoutMs: 300 });
    expect(await rejection(ami.session(async () => undefined))).toMatchObject({ kind: 'unavailable' });
  });
});
