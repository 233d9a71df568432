import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator } from '../../../tools/freepbx-sim/testing.ts';
import { account, API_VERSIONS, createDriverHarness, rejection, DRIVER_RELOAD_DELAY_MS, type Sim } from '../../support/freepbx-driver-harness.ts';

describe.each(API_VERSIONS)('FreePBX driver: network faults and secrets (api %i)', (apiVersion) => {
  let sim: Sim;
  beforeAll(async () => {
    sim = await startSimulator({ reloadDelayMs: DRIVER_RELOAD_DELAY_MS, apiVersion });
  });
  beforeEach(() => sim.reset());
  afterAll(() => sim.stop());

  it('5xx, connection resets, refused connections and timeouts are unavailable and retryable', async () => {
    // The usual timeout except where a timeout is the point: on a loaded machine even a refused connection
    // can take longer than a short timeout to be reported.
    const { driver } = createDriverHarness(sim);
    sim.faults.failNext(1, { status: 503 });
    expect(await rejection(driver.createAccount(account('1000')))).toMatchObject({ kind: 'unavailable', retryable: true });
    sim.faults.resetNext(1);
    expect(await rejection(driver.createAccount(account('1000')))).toMatchObject({ kind: 'unavailable', retryable: true });
    sim.faults.setDelayMs(500);
    expect(await rejection(createDriverHarness(sim, { requestTimeoutMs: 150 }).driver.createAccount(account('1000')))).toMatchObject({
      kind: 'unavailable',
      message: expect.stringContaining('in time'),
    });
    sim.faults.setDelayMs(0);
    await sim.faults.refuseConnections();
    try {
      expect(await rejection(driver.createAccount(account('1000')))).toMatchObject({
        kind: 'unavailable',
        message: expect.stringContaining('ECONNREFUSED'),
      });
    } finally {
      await sim.faults.acceptConnections();
    }
    await driver.createAccount(account('1000'));
  });

  it('no secret appears in logs or error messages, whatever fails', async () => {
    const client = sim.clients[0]!;
    const { driver, logLines, issuedTokens } = createDriverHarness(sim, { applyTimeoutMs: 200 });
    const sip = account('1000', 'SipSecretThatMustNotLeak-1234');
    const errors: unknown[] = [];
    const attempt = async (work: () => Promise<unknown>) => {
      try {
        await work();
      } catch (error) {
        errors.push(error);
      }
    };
    await attempt(() => driver.createAccount(sip));
    sim.faults.expireAllTokens();
    await attempt(() => driver.updateAccount(sip));
    sim.faults.failNext(1, { status: 500 });
    await attempt(() => driver.updateAccount(sip));
    sim.faults.resetNext(1);
    await attempt(() => driver.updateAccount(sip));
    sim.state.seedExtension({ extensionId: '1001', secret: 'SomeoneElsesSecret-9876' });
    await attempt(() => driver.createAccount(account('1001', sip.secret)));
    sim.faults.setReloadOutcome('failed');
    await attempt(() => driver.applyChanges());
    sim.faults.setReloadOutcome('stuck');
    await attempt(() => driver.applyChanges());
    const { driver: badClient, logLines: badLines } = createDriverHarness(sim, { clientSecret: 'c'.repeat(32) });
    await attempt(() => badClient.createAccount(sip));

    expect(errors.length).toBeGreaterThanOrEqual(5);
    const text = [
      ...logLines,
      ...badLines,
      ...errors.map((error) => `${(error as Error).message} ${JSON.stringify(error)} ${String((error as Error).stack)}`),
    ].join('\n');
    expect(issuedTokens.length).toBeGreaterThanOrEqual(2);
    for (const secret of [client.clientSecret, 'c'.repeat(32), sip.secret, 'SomeoneElsesSecret-9876', ...issuedTokens]) {
      expect(text).not.toContain(secret);
    }
  });
});
