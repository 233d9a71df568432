import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ApiVersion } from './gql-endpoint.ts';
import type { SimClient, TokenStore } from './token-store.ts';

/**
 * league/oauth2-server's error bodies, as FreePBX's api module sends them (§1, §8): `{error, message, hint?}`
 * on api 16; api 17's newer library adds `error_description` (the same text as `message`).
 */
type OauthError = { status: number; error: string; message: string; hint?: string };

const oauthErrors = {
  unsupportedGrant: {
    status: 400,
    error: 'unsupported_grant_type',
    message: 'The authorization grant type is not supported by the authorization server.',
    hint: 'Check that all required parameters have been provided',
  },
  missingClientId: {
    status: 400,
    error: 'invalid_request',
    message:
      'The request is missing a required parameter, includes an invalid parameter value, includes a parameter more than once, or is otherwise malformed.',
    hint: 'Check the `client_id` parameter',
  },
  invalidClient: { status: 401, error: 'invalid_client', message: 'Client authentication failed' },
  invalidScope: (scope: string) => ({
    status: 400,
    error: 'invalid_scope',
    message: 'The requested scope is invalid, unknown, or malformed',
    hint: `Check the \`${scope}\` scope`,
  }),
} satisfies Record<string, OauthError | ((scope: string) => OauthError)>;

const errorBody = ({ error, message, hint }: OauthError, apiVersion: ApiVersion) => ({
  error,
  ...(apiVersion === 17 ? { error_description: message } : {}),
  message,
  ...(hint ? { hint } : {}),
});

const knownScope = /^(gql|rest)(:[a-z0-9_]+){0,3}$/;

/** A scope is granted when the application may use it or one of its parents (`gql` covers `gql:core`). */
const permits = (allowed: string[], scope: string) =>
  allowed.some((entry) => scope === entry || scope.startsWith(`${entry}:`));

function formParams(request: FastifyRequest): Record<string, string> {
  // FreePBX 17 does not read JSON here: only a form body counts.
  const isForm = String(request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
  const params = isForm && request.body && typeof request.body === 'object' ? { ...(request.body as Record<string, string>) } : {};
  const basic = /^Basic\s+(.+)$/i.exec(String(request.headers.authorization ?? ''));
  if (basic?.[1]) {
    const decoded = Buffer.from(basic[1], 'base64').toString();
    const colon = decoded.indexOf(':');
    if (colon > 0) {
      params.client_id ??= decodeURIComponent(decoded.slice(0, colon));
      params.client_secret ??= decodeURIComponent(decoded.slice(colon + 1));
    }
  }
  return params;
}

export function registerTokenEndpoint(
  app: FastifyInstance,
  deps: { clients: SimClient[]; tokens: TokenStore; apiVersion: () => ApiVersion; lifetimeSeconds: () => number; onRequest: () => void },
) {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(String(body))));
  });

  app.post('/admin/api/api/token', async (request, reply) => {
    deps.onRequest();
    const params = formParams(request);
    const apiVersion = deps.apiVersion();
    const fail = (error: OauthError) => reply.code(error.status).header('cache-control', 'no-store').send(errorBody(error, apiVersion));

    // FreePBX also enables the password, refresh_token, implicit and authorization_code grants (§8); the
    // simulator has only the one a backend uses, and treats the others as unknown.
    if (params.grant_type !== 'client_credentials') return fail(oauthErrors.unsupportedGrant);
    if (!params.client_id) return fail(oauthErrors.missingClientId);
    const client = deps.clients.find((entry) => entry.clientId === params.client_id);
    // api 17 (the snapshot read, §8) does not check the secret of a known client.
    if (!client || (apiVersion === 16 && client.clientSecret !== params.client_secret)) return fail(oauthErrors.invalidClient);

    const requested = (params.scope ?? '').split(' ').filter(Boolean);
    const unknown = requested.find((scope) => !knownScope.test(scope));
    if (unknown) return fail(oauthErrors.invalidScope(unknown));
    // api 16 refuses a scope the application may not use; api 17 grants any scope that exists.
    const refused = apiVersion === 16 ? requested.find((scope) => !permits(client.allowedScopes, scope)) : undefined;
    if (refused) return fail(oauthErrors.invalidScope(refused));
    const scopes = requested.length ? requested : client.allowedScopes;

    const lifetimeSeconds = deps.lifetimeSeconds();
    const accessToken = deps.tokens.issue({ clientId: client.clientId, scopes, lifetimeSeconds });
    return reply
      .header('cache-control', 'no-store')
      .send({ token_type: 'Bearer', expires_in: Math.ceil(lifetimeSeconds), access_token: accessToken });
  });
}
