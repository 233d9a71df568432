import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator } from './testing.ts';
import { addExtension, gql, RELOAD_DELAY_MS, reloadAndWait, requestToken, sleep, token, type Sim } from './test-helpers.ts';

const NEED_RELOAD = 'query { fetchNeedReload { status message } }';

describe('FreePBX simulator: fault injection (§7.3)', () => {
  let sim: Sim;
  let bearer: string;
  beforeAll(async () => {
    sim = await startSimulator({ reloadDelayMs: RELOAD_DELAY_MS });
  });
  beforeEach(async () => {
    sim.reset();
    bearer = await token(sim);
  });
  afterAll(() => sim.stop());

  it('slow responses take at least the configured delay', async () => {
    sim.faults.setDelayMs(120);
    const started = Date.now();
    await gql(sim, bearer, NEED_RELOAD);
    expect(Date.now() - started).toBeGreaterThanOrEqual(110);
  });

  it('the next N requests answer 5xx with an HTML page, then service resumes', async () => {
    sim.faults.failNext(2, { status: 502, target: 'gql' });
    expect(await gql(sim, bearer, NEED_RELOAD)).toMatchObject({ status: 502, body: expect.stringContaining('<html>') });
    expect((await requestToken(sim)).status).toBe(200);
    expect((await gql(sim, bearer, NEED_RELOAD)).status).toBe(502);
    expect((await gql(sim, bearer, NEED_RELOAD)).status).toBe(200);
  });

  it('the next N connections are reset without an answer', async () => {
    sim.faults.resetNext(1);
    await expect(gql(sim, bearer, NEED_RELOAD)).rejects.toThrow();
    expect((await gql(sim, bearer, NEED_RELOAD)).status).toBe(200);
  });

  it('refused connections fail fast until accepted again on the same port', async () => {
    const port = sim.port;
    await sim.faults.refuseConnections();
    await expect(gql(sim, bearer, NEED_RELOAD)).rejects.toThrow();
    await sim.faults.acceptConnections();
    expect(sim.port).toBe(port);
    expect((await gql(sim, bearer, NEED_RELOAD)).status).toBe(200);
  });

  it('expiring all tokens mid-flow makes the next call a 401', async () => {
    sim.faults.expireAllTokens();
    expect((await gql(sim, bearer, NEED_RELOAD)).status).toBe(401);
  });

  it('a pre-existing extension owned by someone else is live and in use', async () => {
    sim.state.seedExtension({ extensionId: '1000', secret: 'theirs' });
    expect((await addExtension(sim, bearer, '1000')).body.errors[0].message).toBe('This device id is already in use');
    expect(sim.state.liveSecret('1000')).toBe('theirs');
  });
});

describe('FreePBX simulator: control endpoints under /__sim/', () => {
  let sim: Sim;
  const post = (path: string, body: unknown = {}) =>
    fetch(`${sim.url}/__sim/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  beforeAll(async () => {
    sim = await startSimulator({ reloadDelayMs: RELOAD_DELAY_MS });
  });
  afterAll(() => sim.stop());

  it('GET /__sim/counters reports operations, reloads and live extensions', async () => {
    const bearer = await token(sim);
    await addExtension(sim, bearer, '1000');
    await reloadAndWait(sim, bearer);
    const counters = (await (await fetch(`${sim.url}/__sim/counters`)).json()) as Record<string, unknown>;
    expect(counters).toMatchObject({
      operations: { addExtension: 1, doreload: 1 },
      tokenRequests: 1,
      reloadsStarted: 1,
      reloadsRunning: 0,
      maxConcurrentReloads: 1,
      liveExtensions: [{ extensionId: '1000', secret: expect.any(String), name: 'User 1000' }],
    });
  });

  it('faults can be driven over HTTP, and are not applied to control routes', async () => {
    const bearer = await token(sim);
    expect((await post('faults/fail-next', { count: 5 })).status).toBe(200);
    expect((await fetch(`${sim.url}/__sim/counters`)).status).toBe(200);
    expect((await gql(sim, bearer, NEED_RELOAD)).status).toBe(503);
    await post('faults/clear');
    expect((await gql(sim, bearer, NEED_RELOAD)).status).toBe(200);
    await post('faults/expire-tokens');
    expect((await gql(sim, bearer, NEED_RELOAD)).status).toBe(401);
  });

  it('refusing connections over HTTP lifts itself after forMs', async () => {
    expect((await post('faults/refuse-connections', { forMs: 600 })).status).toBe(200);
    await sleep(30);
    await expect(fetch(`${sim.url}/__sim/counters`)).rejects.toThrow();
    await sleep(700);
    expect((await fetch(`${sim.url}/__sim/counters`)).status).toBe(200);
  });

  it('drives api and framework versions, silent failures and refused tokens over HTTP', async () => {
    const bearer = await token(sim);
    await post('faults/api-version', { version: 17 });
    await post('faults/framework-version', { version: 16 });
    const noReload = await gql(sim, bearer, 'mutation { doreload(input: {}) { status } }');
    expect(noReload).toMatchObject({ status: 200, body: { errors: [{ message: 'Cannot query field "doreload" on type "Mutation".' }] } });
    await post('faults/silent-fail-next', { count: 1 });
    expect((await addExtension(sim, bearer, '3000')).body.data.addExtension.status).toBe(true);
    expect(sim.state.extensions().map((extension) => extension.extensionId)).not.toContain('3000');
    await post('faults/refuse-tokens-next', { count: 1 });
    expect((await gql(sim, bearer, NEED_RELOAD)).status).toBe(500);
    await post('faults/clear');
    expect((await gql(sim, bearer, NEED_RELOAD)).status).toBe(200);
    expect(sim).toMatchObject({ apiVersion: 16, frameworkVersion: 17 });
  });

  it('seeds a foreign extension, sets reload outcome and licence limit, and resets', async () => {
    expect((await post('extensions', { extensionId: '2000', secret: 'theirs' })).status).toBe(201);
    await post('faults/reload-outcome', { outcome: 'failed' });
    await post('faults/licence-limit', { limit: 1 });
    const bearer = await token(sim);
    expect((await addExtension(sim, bearer, '2001')).body.errors[0].message).toBe('Can not add extension beyond the extensions license limit');
    expect(await reloadAndWait(sim, bearer)).toBe('Failed');
    await post('reset');
    const counters = (await (await fetch(`${sim.url}/__sim/counters`)).json()) as Record<string, unknown>;
    expect(counters).toMatchObject({ extensions: 0, liveExtensions: [], reloadsStarted: 0 });
  });
});
