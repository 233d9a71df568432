import type { FastifyRequest } from 'fastify';
import type { AccessTokens } from './access-tokens.ts';
import { notAuthenticatedError } from './auth.errors.ts';
import type { SessionCache } from './session-cache.ts';

/** OpenAPI security requirement for routes that take a bearer token. */
export const bearerSecurity = [{ OAuth2PasswordBearer: [] }];

/** Who a request's valid bearer token speaks for; `sessionId` is undefined for a token issued before sessions. */
export interface Principal {
  userId: string;
  sessionId: string | undefined;
}

/**
 * The bearer check of every route: `authenticate(request)` gives the user id of a valid token, else throws a
 * 401 problem; `authenticate.principal(request)` gives its session too. A token whose session has ended
 * (logout, refresh token reuse, password change…) is refused, on every instance: `sessions` answers from
 * memory, kept right by database notices (session-cache.ts). Tokens without a session id (issued before
 * sessions existed) are still accepted until they expire, at most ACCESS_TOKEN_EXPIRE_MINUTES after the
 * upgrade: refusing them would sign every user out at once, and nothing could be checked for them anyway.
 */
export function createAuthenticate({ tokens, sessions }: {
  tokens: Pick<AccessTokens, 'verifyClaims'>;
  sessions?: Pick<SessionCache, 'isLive'>;
}) {
  async function principal(request: FastifyRequest): Promise<Principal> {
    const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
    const claims = match ? tokens.verifyClaims(match[1]!) : undefined;
    if (!claims) {
      throw notAuthenticatedError({
        detail: match ? 'The access token is invalid or has expired.' : 'Send an access token: Authorization: Bearer <token>.',
        headers: { 'www-authenticate': match ? 'Bearer error="invalid_token"' : 'Bearer' },
      });
    }
    const live = claims.sessionId && sessions ? sessions.isLive(claims.sessionId, claims.userId) : true;
    // A cached answer is a plain boolean: no await, so the hot path pays no extra turn of the event loop.
    if (live === false || (live !== true && !(await live))) {
      throw notAuthenticatedError({
        detail: 'The session of this access token has ended (signed out): log in again.',
        headers: { 'www-authenticate': 'Bearer error="invalid_token"' },
      });
    }
    return claims;
  }
  const authenticate = async (request: FastifyRequest): Promise<string> => (await principal(request)).userId;
  return Object.assign(authenticate, { principal });
}

export type Authenticate = ReturnType<typeof createAuthenticate>;
