import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator } from './testing.ts';
import { gql, RELOAD_DELAY_MS, requestToken, sleep, type Sim } from './test-helpers.ts';

describe('FreePBX simulator: token endpoint (§1)', () => {
  let sim: Sim;
  beforeAll(async () => {
    // Short enough to watch a token die, long enough for a busy machine to use it first.
    sim = await startSimulator({ reloadDelayMs: RELOAD_DELAY_MS, tokenLifetimeSeconds: 1 });
  });
  afterAll(() => sim.stop());

  it('default client credentials have FreePBX shapes: 64-hex id, 32-hex secret', () => {
    expect(sim.clients[0]!.clientId).toMatch(/^[0-9a-f]{64}$/);
    expect(sim.clients[0]!.clientSecret).toMatch(/^[0-9a-f]{32}$/);
  });

  it('a form-encoded client_credentials request gets a Bearer token, no-store', async () => {
    const { status, headers, body } = await requestToken(sim);
    expect(status).toBe(200);
    expect(headers.get('cache-control')).toBe('no-store');
    expect(body).toEqual({ token_type: 'Bearer', expires_in: 1, access_token: expect.any(String) });
    expect(body).not.toHaveProperty('refresh_token');
  });

  it('HTTP Basic client authentication is accepted', async () => {
    const client = sim.clients[0]!;
    const response = await fetch(`${sim.url}/admin/api/api/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')}`,
      },
      body: 'grant_type=client_credentials',
    });
    expect(response.status).toBe(200);
  });

  it('a wrong secret or an unknown client is a 401 invalid_client', async () => {
    for (const form of <Record<string, string>[]>[{ client_secret: '0'.repeat(32) }, { client_id: 'f'.repeat(64) }]) {
      const { status, body } = await requestToken(sim, form);
      expect(status).toBe(401);
      expect(body).toEqual({ error: 'invalid_client', message: 'Client authentication failed' });
    }
  });

  it('a missing client_id is a 400 invalid_request', async () => {
    const { status, body } = await requestToken(sim, { client_id: '' });
    expect(status).toBe(400);
    expect(body.error).toBe('invalid_request');
  });

  it('another grant type is a 400 unsupported_grant_type', async () => {
    const { status, body } = await requestToken(sim, { grant_type: 'password' });
    expect(status).toBe(400);
    expect(body.error).toBe('unsupported_grant_type');
  });

  it('a JSON body is not read (api 17): unsupported_grant_type', async () => {
    const client = sim.clients[0]!;
    const response = await fetch(`${sim.url}/admin/api/api/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.clientSecret }),
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toBe('unsupported_grant_type');
  });

  it('an unknown scope is a 400 invalid_scope', async () => {
    const { status, body } = await requestToken(sim, { scope: 'gql:core nonsense' });
    expect(status).toBe(400);
    expect(body.error).toBe('invalid_scope');
  });

  it('a token really expires after its lifetime', async () => {
    const { body } = await requestToken(sim);
    const query = 'query { fetchNeedReload { status message } }';
    expect((await gql(sim, String(body.access_token), query)).status).toBe(200);
    await sleep(1100);
    const expired = await gql(sim, String(body.access_token), query);
    expect(expired.status).toBe(401);
    expect(expired.body.hint).toBe('Access token could not be verified');
  });

  it('counts token requests', () => {
    expect(sim.counters().tokenRequests).toBeGreaterThanOrEqual(8);
  });
});
