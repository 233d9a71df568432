import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator } from './testing.ts';
import { addExtension, API_VERSIONS, expectRequestError, gql, RELOAD_DELAY_MS, token, type Sim } from './test-helpers.ts';

const denied = 'The resource owner or authorization server denied the request.';

describe.each(API_VERSIONS)('FreePBX simulator: bearer auth and scopes on the GraphQL endpoint (§1, §8), api %i', (apiVersion) => {
  let sim: Sim;
  beforeAll(async () => {
    sim = await startSimulator({ reloadDelayMs: RELOAD_DELAY_MS, apiVersion });
  });
  afterAll(() => sim.stop());

  /** api 16 refuses in the GraphQL route; on api 17 the exception reaches the framework's Whoops JSON handler. */
  const expectRefused = (reply: { status: number; body: any }, hint: string) => {
    if (apiVersion === 16) {
      expect(reply).toEqual({ status: 401, body: { error: 'access_denied', message: denied, hint } });
    } else {
      expect(reply.status).toBe(500);
      expect(reply.body).toEqual({
        error: { type: 'League\\OAuth2\\Server\\Exception\\OAuthServerException', message: denied, code: 9, file: expect.any(String), line: expect.any(Number) },
      });
      expect(JSON.stringify(reply.body)).not.toContain('access_denied');
    }
  };

  it(`an unknown bearer is refused: ${apiVersion === 16 ? '401 access_denied' : "500 naming OAuthServerException, no 'access_denied'"}`, async () => {
    expectRefused(await gql(sim, 'not-a-token', '{ fetchNeedReload { status } }'), 'Access token could not be verified');
  });

  it('a missing Authorization header is refused too', async () => {
    expectRefused(await gql(sim, null, '{ fetchNeedReload { status } }'), 'Missing "Authorization" header');
  });

  it('refuseTokensNext refuses valid tokens for that many requests, then accepts them again', async () => {
    const bearer = await token(sim);
    sim.faults.refuseTokensNext(2);
    expectRefused(await gql(sim, bearer, '{ fetchNeedReload { status } }'), 'Access token could not be verified');
    expectRefused(await gql(sim, bearer, '{ fetchNeedReload { status } }'), 'Access token could not be verified');
    expect((await gql(sim, bearer, '{ fetchNeedReload { status } }')).status).toBe(200);
  });

  it('without a core scope, addExtension is absent from the schema', async () => {
    const bearer = await token(sim, 'gql:framework');
    expectRequestError(apiVersion, await addExtension(sim, bearer, '1000'), 'Cannot query field "addExtension" on type "Mutation".');
  });

  it('gql:core:write:extension alone is not enough for extension mutations', async () => {
    const bearer = await token(sim, 'gql:core:write:extension');
    expectRequestError(apiVersion, await addExtension(sim, bearer, '1000'), 'Cannot query field "addExtension" on type "Mutation".');
  });

  it('without a framework scope, doreload is absent', async () => {
    const bearer = await token(sim, 'gql:core');
    expectRequestError(apiVersion, await gql(sim, bearer, 'mutation { doreload(input: {}) { status } }'), 'Cannot query field "doreload" on type "Mutation".');
  });

  it('scope gql:core gql:framework reaches both modules', async () => {
    const bearer = await token(sim, 'gql:core gql:framework');
    expect((await addExtension(sim, bearer, '1001')).status).toBe(200);
    expect((await gql(sim, bearer, 'mutation { doreload(input: {}) { status } }')).status).toBe(200);
  });

  it('counts each refused bearer once, and no accepted one', async () => {
    const before = sim.counters().authFailures;
    const bearer = await token(sim);
    await gql(sim, 'not-a-token', '{ fetchNeedReload { status } }');
    await gql(sim, null, '{ fetchNeedReload { status } }');
    await gql(sim, bearer, '{ fetchNeedReload { status } }');
    expect(sim.counters().authFailures - before).toBe(2);
  });
});
