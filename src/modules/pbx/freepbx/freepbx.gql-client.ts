import type { Logger } from 'pino';
import { freepbxErrors, MissingFieldError, networkError, redact } from './freepbx.errors.ts';
import type { TokenManager } from './freepbx.token-manager.ts';

/**
 * A call either returns its root field, or FreePBX's own `status: false` answer (§4: HTTP 400
 * `{"errors":[{"message","status":false}]}`, or the same payload left in `data`), which callers interpret
 * ("This device id is already in use", ...). Everything else becomes a PbxError.
 */
export type GqlOutcome<T> = { ok: true; data: T } | { ok: false; message: string };

export interface GqlClient {
  request<T>(args: { field: string; query: string; variables?: Record<string, unknown>; secrets?: string[] }): Promise<GqlOutcome<T>>;
}

type Body = { data?: Record<string, unknown> | null; errors?: Array<{ message?: unknown; status?: unknown }> } | null;

/**
 * The PBX refused our bearer token (§8). api 16: HTTP 401 `access_denied`. api 17: the OAuthServerException
 * escapes the GraphQL route and the framework's Whoops JSON handler answers HTTP 500 naming the exception
 * class (`League\OAuth2\Server\Exception\OAuthServerException`), without the string `access_denied`.
 * A 500 naming neither is a plain server fault.
 */
const isRefusedToken = (status: number, text: string) =>
  status === 401 || (status >= 500 && (text.includes('access_denied') || text.includes('OAuthServerException')));

/** GraphQL request errors that mean our token lacks a scope (the field is absent from the schema). */
const missingField = /^Cannot query field "[^"]+" on type "(Mutation|Query)"/;

export function createGqlClient(args: {
  baseUrl: string;
  tokens: TokenManager;
  requestTimeoutMs: number;
  fetch: typeof fetch;
  logger: Logger;
  /** Secrets of the driver's configuration, never to be echoed. */
  configSecrets: string[];
}): GqlClient {
  const url = `${args.baseUrl}/admin/api/api/gql`;

  async function post(token: string, query: string, variables: Record<string, unknown> | undefined, what: string) {
    try {
      const response = await args.fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query, variables: variables ?? {} }),
        signal: AbortSignal.timeout(args.requestTimeoutMs),
      });
      return { status: response.status, text: await response.text() };
    } catch (error) {
      throw networkError(what, error);
    }
  }

  return {
    async request<T>({ field, query, variables, secrets = [] }: Parameters<GqlClient['request']>[0]): Promise<GqlOutcome<T>> {
      const what = `FreePBX ${field}`;
      let token = await args.tokens.get();
      let reply = await post(token, query, variables, what);
      const denied = () => isRefusedToken(reply.status, reply.text);
      if (denied() && args.tokens.canRenew) {
        args.logger.warn({ operation: field, status: reply.status }, 'FreePBX refused the access token; fetching a new one');
        args.tokens.invalidate(token);
        token = await args.tokens.get();
        reply = await post(token, query, variables, what);
      }
      const clean = (text: string) => redact(text, [...args.configSecrets, token, ...secrets]);
      if (denied()) {
        args.tokens.invalidate(token);
        // Retryable: the PBX's OAuth keys or the application may be fixed while the job waits.
        throw args.tokens.canRenew
          ? freepbxErrors.auth(
              `${what}: FreePBX refused a freshly issued access token (HTTP ${reply.status}): a credentials problem on the PBX; ` +
                'check that the API application of FREEPBX_CLIENT_ID still exists with the scopes gql:core gql:framework',
              true,
            )
          : freepbxErrors.auth(`${what}: FreePBX refused the fixed API token (HTTP ${reply.status}; expired?); configure FREEPBX_CLIENT_ID and FREEPBX_CLIENT_SECRET instead`);
      }
      if (reply.status >= 500) throw freepbxErrors.unavailable(`${what}: HTTP ${reply.status}`);

      let body: Body;
      try {
        body = JSON.parse(reply.text) as Body;
      } catch {
        throw freepbxErrors.unavailable(`${what}: HTTP ${reply.status} with a body that is not JSON`);
      }
      const payload = body?.data?.[field] as { status?: unknown; message?: unknown } | null | undefined;
      if (body?.data && reply.status === 200 && payload != null) {
        if (payload?.status === false) return { ok: false, message: clean(String(payload.message ?? '')) };
        return { ok: true, data: payload as T };
      }
      const first = body?.errors?.[0];
      const message = typeof first?.message === 'string' ? first.message : '';
      if (missingField.test(message)) {
        throw new MissingFieldError(`${what}: the API application lacks a scope (needs gql:core and gql:framework): ${clean(message)}`);
      }
      // api 16: HTTP 400 and `status: false`, for both failed payloads and request errors; tell them apart
      // by the caller's interpretation of the message. api 17: request errors are HTTP 200 with errors[].
      if (reply.status === 400 && first?.status === false) return { ok: false, message: clean(message) };
      if (message) throw freepbxErrors.rejected(`${what}: ${clean(message)}`);
      // A 200 with a null root field and no error text: FreePBX swallowed an exception (FormattedError).
      throw freepbxErrors.rejected(`${what}: unexpected answer (HTTP ${reply.status}, no data)`, reply.status === 200);
    },
  };
}
