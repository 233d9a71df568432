import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator } from './testing.ts';
import { addExtension, API_VERSIONS, expectRequestError, gql, reloadAndWait, RELOAD, RELOAD_DELAY_MS, sleep, STATUS, token, UPDATE, type Sim } from './test-helpers.ts';

describe('FreePBX simulator: Apply Config (§3) and live extensions', () => {
  let sim: Sim;
  let bearer: string;
  beforeAll(async () => {
    // Long enough that a check right after doreload still sees Processing on a busy machine.
    sim = await startSimulator({ reloadDelayMs: 400 });
  });
  beforeEach(async () => {
    sim.reset();
    bearer = await token(sim);
  });
  afterAll(() => sim.stop());

  it('doreload answers at once with its message and a new transaction id per call', async () => {
    const first = await gql(sim, bearer, RELOAD);
    const second = await gql(sim, bearer, RELOAD);
    expect(first.body.data.doreload).toEqual({
      status: true,
      message:
        'Doreload/apply config has been initiated. Please check the status using fetchApiStatus api with the returned transaction id',
      transaction_id: expect.stringMatching(/^[0-9]+$/),
    });
    expect(second.body.data.doreload.transaction_id).not.toBe(first.body.data.doreload.transaction_id);
  });

  it('fetchApiStatus goes Processing then Executed with "Successfully reloaded"', async () => {
    const txn = (await gql(sim, bearer, RELOAD)).body.data.doreload.transaction_id;
    expect((await gql(sim, bearer, STATUS, { txn })).body.data.fetchApiStatus).toEqual({ status: true, message: 'Processing', details: null });
    await sleep(500);
    expect((await gql(sim, bearer, STATUS, { txn })).body.data.fetchApiStatus).toEqual({
      status: true,
      message: 'Executed',
      details: 'Successfully reloaded',
    });
  });

  it('an unknown transaction id answers status true "Sorry unable to fetch the status"', async () => {
    const { status, body } = await gql(sim, bearer, STATUS, { txn: '999999' });
    expect(status).toBe(200);
    expect(body.data.fetchApiStatus).toEqual({ status: true, message: 'Sorry unable to fetch the status', details: null });
  });

  it('fetchNeedReload says a reload is required after a change and not after it', async () => {
    const query = 'query { fetchNeedReload { status message } }';
    expect((await gql(sim, bearer, query)).body.data.fetchNeedReload.message).toBe('Doreload is not required');
    await addExtension(sim, bearer, '1000');
    expect((await gql(sim, bearer, query)).body.data.fetchNeedReload.message).toBe('Doreload is required');
    await reloadAndWait(sim, bearer);
    expect((await gql(sim, bearer, query)).body.data.fetchNeedReload.message).toBe('Doreload is not required');
  });

  it('a new extension is live only after a reload, with the secret it had when the reload started', async () => {
    await addExtension(sim, bearer, '1000');
    await gql(sim, bearer, UPDATE, { input: { extensionId: '1000', name: 'A', extPassword: 'first-secret', umEnable: false } });
    expect(sim.counters().liveExtensions).toEqual([]);
    const txn = (await gql(sim, bearer, RELOAD)).body.data.doreload.transaction_id;
    await gql(sim, bearer, UPDATE, { input: { extensionId: '1000', name: 'A', extPassword: 'second-secret', umEnable: false } });
    await addExtension(sim, bearer, '1001');
    await sleep(500);
    expect((await gql(sim, bearer, STATUS, { txn })).body.data.fetchApiStatus.message).toBe('Executed');
    expect(sim.counters().liveExtensions).toEqual([{ extensionId: '1000', secret: 'first-secret', name: 'A' }]);
    await reloadAndWait(sim, bearer);
    expect(sim.state.liveSecret('1000')).toBe('second-secret');
    expect(sim.state.liveSecret('1001')).toMatch(/^[0-9a-f]{32}$/);
  });

  it('a deleted extension stops being live after the next reload', async () => {
    await addExtension(sim, bearer, '1000');
    await reloadAndWait(sim, bearer);
    await gql(sim, bearer, 'mutation { deleteExtension(input: {extensionId: "1000"}) { status } }');
    expect(sim.state.liveSecret('1000')).toBeDefined();
    await reloadAndWait(sim, bearer);
    expect(sim.state.liveSecret('1000')).toBeUndefined();
  });

  it('a failing reload ends Failed with details and changes nothing live', async () => {
    sim.faults.setReloadOutcome('failed', 'exit code 255');
    await addExtension(sim, bearer, '1000');
    const txn = (await gql(sim, bearer, RELOAD)).body.data.doreload.transaction_id;
    await sleep(500);
    expect((await gql(sim, bearer, STATUS, { txn })).body.data.fetchApiStatus).toEqual({ status: true, message: 'Failed', details: 'exit code 255' });
    expect(sim.counters()).toMatchObject({ liveExtensions: [], reloadsFailed: 1, reloadsRunning: 0 });
  });

  it('a stuck reload stays Processing forever and keeps counting as running', async () => {
    sim.faults.setReloadOutcome('stuck');
    const txn = (await gql(sim, bearer, RELOAD)).body.data.doreload.transaction_id;
    await sleep(500);
    expect((await gql(sim, bearer, STATUS, { txn })).body.data.fetchApiStatus.message).toBe('Processing');
    expect(sim.counters().reloadsRunning).toBe(1);
  });

  it('counts reloads started, running now and the most running at once', async () => {
    await Promise.all([gql(sim, bearer, RELOAD), gql(sim, bearer, RELOAD)]);
    expect(sim.counters()).toMatchObject({ reloadsStarted: 2, reloadsRunning: 2, maxConcurrentReloads: 2 });
    await sleep(500);
    await reloadAndWait(sim, bearer);
    expect(sim.counters()).toMatchObject({ reloadsStarted: 3, reloadsRunning: 0, maxConcurrentReloads: 2, reloadsExecuted: 3 });
  });
});

describe.each(API_VERSIONS)('FreePBX simulator: a framework older than 17 (§8), api %i', (apiVersion) => {
  let sim: Sim;
  let bearer: string;
  beforeAll(async () => {
    sim = await startSimulator({ reloadDelayMs: RELOAD_DELAY_MS, apiVersion, frameworkVersion: 16 });
    bearer = await token(sim);
  });
  afterAll(() => sim.stop());

  it('has no doreload, no fetchNeedReload and no module.details: "Cannot query field …"', async () => {
    expectRequestError(apiVersion, await gql(sim, bearer, RELOAD), 'Cannot query field "doreload" on type "Mutation".');
    expectRequestError(apiVersion, await gql(sim, bearer, 'query { fetchNeedReload { status message } }'), 'Cannot query field "fetchNeedReload" on type "Query".');
    expectRequestError(apiVersion, await gql(sim, bearer, STATUS, { txn: '1' }), 'Cannot query field "details" on type "module".');
  });

  it('still has fetchApiStatus, and the core extension operations', async () => {
    const { status, body } = await gql(sim, bearer, 'query { fetchApiStatus(txnId: "1") { message } }');
    expect(status).toBe(200);
    expect(body.data.fetchApiStatus).toEqual({ message: 'Sorry unable to fetch the status' });
    expect((await addExtension(sim, bearer, '1000')).status).toBe(200);
  });

  it('can be switched at run time', async () => {
    sim.faults.setFrameworkVersion(17);
    try {
      expect((await gql(sim, bearer, RELOAD)).body.data.doreload.status).toBe(true);
    } finally {
      sim.faults.setFrameworkVersion(16);
    }
  });
});
