import type { FastifyRequest } from 'fastify';
import type { AccessTokens } from './access-tokens.ts';
import { notAuthenticatedError } from './auth.errors.ts';
import type { SessionCache } from './session-cache.ts';

const BEARER = /^Bearer\s+(\S+)$/i;

/** OpenAPI security requirement for routes that take a bearer token. */
export const bearerSecurity = [{ OAuth2PasswordBearer: [] }];

/** Who a request's valid bearer token speaks for; `sessionId` is undefined for a token issued before sessions. */
export interface Principal {
  userId: string;
  sessionId: string | undefined;
}

/**
 * The bearer check of every route: `authenticate(request)` gives the user id of a valid token, else throws a
 * 401 problem; `authenticate.principal(request)` gives its session too; `authenticate.userIdNow(request)`
 * gives the user id without a promise when all it needs is in memory (a hot route may then answer at once). A token whose session has ended
 * (logout, refresh token reuse, password change…) is refused, on every instance: `sessions` answers from
 * memory, kept right by database notices (session-cache.ts). Tokens without a session id (issued before
 * sessions existed) are still accepted until they expire, at most ACCESS_TOKEN_EXPIRE_MINUTES after the
 * upgrade: refusing them would sign every user out at once, and nothing could be checked for them anyway.
 */
export function createAuthenticate({ tokens, sessions }: {
  tokens: Pick<AccessTokens, 'verifyClaims'>;
  sessions?: Pick<SessionCache, 'isLive'>;
}) {
  const sessionEnded = () =>
    notAuthenticatedError({
      detail: 'The session of this access token has ended (signed out): log in again.',
      headers: { 'www-authenticate': 'Bearer error="invalid_token"' },
    });

  /**
   * The principal of a valid token, as a plain value when the session's liveness is known in memory (the hot
   * path then makes no promise, and a route may answer synchronously), else a promise; throws a 401 problem.
   */
  function principalNow(request: FastifyRequest): Principal | Promise<Principal> {
    const match = BEARER.exec(request.headers.authorization ?? '');
    const claims = match ? tokens.verifyClaims(match[1]!) : undefined;
    if (!claims) {
      throw notAuthenticatedError({
        detail: match ? 'The access token is invalid or has expired.' : 'Send an access token: Authorization: Bearer <token>.',
        headers: { 'www-authenticate': match ? 'Bearer error="invalid_token"' : 'Bearer' },
      });
    }
    const live = claims.sessionId && sessions ? sessions.isLive(claims.sessionId, claims.userId) : true;
    if (live === true) return claims;
    if (live === false) throw sessionEnded();
    return live.then((isLive) => {
      if (!isLive) throw sessionEnded();
      return claims;
    });
  }
  async function principal(request: FastifyRequest): Promise<Principal> {
    return principalNow(request);
  }
  const authenticate = async (request: FastifyRequest): Promise<string> => (await principal(request)).userId;
  /** The user id, as a plain value when it can be (see principalNow); throws a 401 problem. */
  const userIdNow = (request: FastifyRequest): string | Promise<string> => {
    const found = principalNow(request);
    return found instanceof Promise ? found.then((claims) => claims.userId) : found.userId;
  };
  return Object.assign(authenticate, { principal, userIdNow });
}

export type Authenticate = ReturnType<typeof createAuthenticate>;
