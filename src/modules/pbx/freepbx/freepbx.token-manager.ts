import type { Logger } from 'pino';
import { freepbxErrors, networkError } from './freepbx.errors.ts';

export interface TokenManager {
  /** A bearer token believed valid now (cached, renewed ahead of expiry). */
  get(): Promise<string>;
  /** The server refused `token`: forget it so the next `get()` fetches a new one. */
  invalidate(token: string): void;
  /** False with a fixed token: an auth failure cannot be cured by asking again. */
  readonly canRenew: boolean;
}

/** Scopes for extension mutations/queries and for doreload/fetchApiStatus (freepbx-api.md §1). */
const SCOPE = 'gql:core gql:framework';

/** Renew ahead of expiry: 10% of the lifetime, at most one minute. */
const renewalMargin = (lifetimeMs: number) => Math.min(60_000, lifetimeMs * 0.1);

export function createTokenManager(args: {
  baseUrl: string;
  clientId?: string;
  clientSecret?: string;
  apiToken?: string;
  requestTimeoutMs: number;
  fetch: typeof fetch;
  logger: Logger;
}): TokenManager {
  const { clientId, clientSecret, apiToken } = args;
  if (!(clientId && clientSecret)) {
    if (!apiToken) throw new Error('FreePBX driver needs a client id and secret, or an API token');
    return { get: async () => apiToken, invalidate: () => {}, canRenew: false };
  }

  const url = `${args.baseUrl}/admin/api/api/token`;
  let cached: { token: string; renewAt: number } | undefined;
  let inFlight: Promise<string> | undefined;

  async function fetchToken(): Promise<string> {
    let response: Response;
    try {
      response = await args.fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId!, client_secret: clientSecret!, scope: SCOPE }),
        signal: AbortSignal.timeout(args.requestTimeoutMs),
      });
    } catch (error) {
      throw networkError('FreePBX token request', error);
    }
    const body = (await response.json().catch(() => null)) as { access_token?: unknown; expires_in?: unknown; error?: unknown } | null;
    if (response.status >= 500) throw freepbxErrors.unavailable(`FreePBX token request: HTTP ${response.status}`);
    if (response.status === 401 || body?.error === 'invalid_client') {
      throw freepbxErrors.auth('FreePBX refused the client credentials (invalid_client): check FREEPBX_CLIENT_ID and FREEPBX_CLIENT_SECRET');
    }
    // api 16 refuses scopes the application may not use here; api 17 grants any scope that exists (§8).
    if (body?.error === 'invalid_scope') {
      throw freepbxErrors.auth(`FreePBX refused the scopes "${SCOPE}" (invalid_scope): give the API application of FREEPBX_CLIENT_ID the scopes gql:core and gql:framework (or gql)`);
    }
    if (!response.ok || typeof body?.access_token !== 'string') {
      const code = typeof body?.error === 'string' ? body.error.replace(/[^a-z_]/gi, '') : 'unexpected response';
      throw freepbxErrors.auth(`FreePBX token request failed: HTTP ${response.status} ${code}`);
    }
    const lifetimeMs = (typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : 3600) * 1000;
    cached = { token: body.access_token, renewAt: Date.now() + lifetimeMs - renewalMargin(lifetimeMs) };
    args.logger.debug({ expiresInS: lifetimeMs / 1000 }, 'FreePBX access token obtained');
    return body.access_token;
  }

  return {
    canRenew: true,
    async get() {
      if (cached && Date.now() < cached.renewAt) return cached.token;
      // One request for every caller waiting at the same time.
      inFlight ??= fetchToken().finally(() => {
        inFlight = undefined;
      });
      return inFlight;
    },
    invalidate(token) {
      if (cached?.token === token) cached = undefined;
    },
  };
}
