import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator } from './testing.ts';
import { addExtension, API_VERSIONS, gql, RELOAD_DELAY_MS, requestToken, sleep, type Sim } from './test-helpers.ts';

describe.each(API_VERSIONS)('FreePBX simulator: token endpoint (§1, §8), api %i', (apiVersion) => {
  let sim: Sim;
  /** api 17's league/oauth2-server adds `error_description` (the message again) to every error body. */
  const oauthError = (error: string, message: string, hint?: string) => ({
    error,
    ...(apiVersion === 17 ? { error_description: message } : {}),
    message,
    ...(hint ? { hint } : {}),
  });
  beforeAll(async () => {
    // Short enough to watch a token die, long enough for a busy machine to use it first.
    sim = await startSimulator({
      reloadDelayMs: RELOAD_DELAY_MS,
      tokenLifetimeSeconds: 1,
      apiVersion,
      clients: [
        { clientId: 'a'.repeat(64), clientSecret: 'b'.repeat(32), allowedScopes: ['gql'] },
        { clientId: 'c'.repeat(64), clientSecret: 'd'.repeat(32), allowedScopes: ['gql:framework'] },
      ],
    });
  });
  afterAll(() => sim.stop());

  it('default client credentials have FreePBX shapes: 64-hex id, 32-hex secret', async () => {
    const plain = await startSimulator({ reloadDelayMs: RELOAD_DELAY_MS, apiVersion });
    await plain.stop();
    expect(plain.clients[0]!.clientId).toMatch(/^[0-9a-f]{64}$/);
    expect(plain.clients[0]!.clientSecret).toMatch(/^[0-9a-f]{32}$/);
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

  it('an unknown client is a 401 invalid_client', async () => {
    const { status, body } = await requestToken(sim, { client_id: 'f'.repeat(64) });
    expect(status).toBe(401);
    expect(body).toEqual(oauthError('invalid_client', 'Client authentication failed'));
  });

  it(apiVersion === 16 ? 'a wrong secret is a 401 invalid_client' : 'the secret of a known client is not checked', async () => {
    const { status, body } = await requestToken(sim, { client_secret: '0'.repeat(32) });
    if (apiVersion === 16) {
      expect(status).toBe(401);
      expect(body).toEqual(oauthError('invalid_client', 'Client authentication failed'));
    } else {
      expect(status).toBe(200);
      expect(body.access_token).toEqual(expect.any(String));
    }
  });

  it(apiVersion === 16 ? 'a scope the application may not use is a 400 invalid_scope' : 'any existing scope is granted, whatever the application may use', async () => {
    const { status, body } = await requestToken(sim, { client_id: 'c'.repeat(64), client_secret: 'd'.repeat(32), scope: 'gql:core gql:framework' });
    if (apiVersion === 16) {
      expect(status).toBe(400);
      expect(body).toEqual(oauthError('invalid_scope', 'The requested scope is invalid, unknown, or malformed', 'Check the `gql:core` scope'));
    } else {
      expect(status).toBe(200);
      expect((await addExtension(sim, String(body.access_token), '1000')).status).toBe(200);
    }
  });

  it('a missing client_id is a 400 invalid_request', async () => {
    const { status, body } = await requestToken(sim, { client_id: '' });
    expect(status).toBe(400);
    expect(body.error).toBe('invalid_request');
  });

  it('an unknown grant type is a 400 unsupported_grant_type', async () => {
    const { status, body } = await requestToken(sim, { grant_type: 'urn:example:unknown' });
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

  it('a scope that does not exist is a 400 invalid_scope', async () => {
    const { status, body } = await requestToken(sim, { scope: 'gql:core nonsense' });
    expect(status).toBe(400);
    expect(body).toEqual(oauthError('invalid_scope', 'The requested scope is invalid, unknown, or malformed', 'Check the `nonsense` scope'));
  });

  it('a token really expires after its lifetime', async () => {
    const { body } = await requestToken(sim);
    const query = 'query { fetchNeedReload { status message } }';
    expect((await gql(sim, String(body.access_token), query)).status).toBe(200);
    await sleep(1100);
    const expired = await gql(sim, String(body.access_token), query);
    expect(expired.status).toBe(apiVersion === 16 ? 401 : 500);
  });

  it('counts token requests', () => {
    expect(sim.counters().tokenRequests).toBeGreaterThanOrEqual(8);
  });
});
