import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator } from './testing.ts';
import { addExtension, gql, RELOAD_DELAY_MS, token, type Sim } from './test-helpers.ts';

const accessDenied = {
  error: 'access_denied',
  message: 'The resource owner or authorization server denied the request.',
  hint: 'Access token could not be verified',
};

describe('FreePBX simulator: bearer auth and scopes on the GraphQL endpoint (§1)', () => {
  let sim: Sim;
  beforeAll(async () => {
    sim = await startSimulator({ reloadDelayMs: RELOAD_DELAY_MS });
  });
  afterAll(() => sim.stop());

  it('api 16: an unknown bearer is a 401 access_denied', async () => {
    const { status, body } = await gql(sim, 'not-a-token', '{ fetchNeedReload { status } }');
    expect(status).toBe(401);
    expect(body).toEqual(accessDenied);
  });

  it('a missing Authorization header is refused too', async () => {
    const { status, body } = await gql(sim, null, '{ fetchNeedReload { status } }');
    expect(status).toBe(401);
    expect(body.error).toBe('access_denied');
  });

  it('api 17: a bad bearer is a 500 whose body says access_denied', async () => {
    sim.faults.setApiVersion(17);
    try {
      const { status, body } = await gql(sim, 'not-a-token', '{ fetchNeedReload { status } }');
      expect(status).toBe(500);
      expect(body).toEqual(accessDenied);
    } finally {
      sim.faults.setApiVersion(16);
    }
  });

  it('without a core scope, addExtension is absent from the schema', async () => {
    const bearer = await token(sim, 'gql:framework');
    const { status, body } = await addExtension(sim, bearer, '1000');
    expect(status).toBe(400);
    expect(body).toEqual({ errors: [{ message: 'Cannot query field "addExtension" on type "Mutation".', status: false }] });
  });

  it('gql:core:write:extension alone is not enough for extension mutations', async () => {
    const bearer = await token(sim, 'gql:core:write:extension');
    const { body } = await addExtension(sim, bearer, '1000');
    expect(body.errors[0].message).toBe('Cannot query field "addExtension" on type "Mutation".');
  });

  it('without a framework scope, doreload is absent', async () => {
    const bearer = await token(sim, 'gql:core');
    const { body } = await gql(sim, bearer, 'mutation { doreload(input: {}) { status } }');
    expect(body.errors[0].message).toBe('Cannot query field "doreload" on type "Mutation".');
  });

  it('scope gql:core gql:framework reaches both modules', async () => {
    const bearer = await token(sim, 'gql:core gql:framework');
    expect((await addExtension(sim, bearer, '1001')).status).toBe(200);
    expect((await gql(sim, bearer, 'mutation { doreload(input: {}) { status } }')).status).toBe(200);
  });

  it('counts auth failures', () => {
    expect(sim.counters().authFailures).toBe(3);
  });
});
