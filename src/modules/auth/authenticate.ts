import type { FastifyRequest } from 'fastify';
import type { AccessTokens } from './access-tokens.ts';
import { notAuthenticatedError } from './auth.errors.ts';

/** OpenAPI security requirement for routes that take a bearer token. */
export const bearerSecurity = [{ OAuth2PasswordBearer: [] }];

/** Returns the user id of the request's valid bearer token, or throws a 401 problem. */
export function createAuthenticate({ tokens }: { tokens: Pick<AccessTokens, 'verify'> }) {
  return async function authenticate(request: FastifyRequest): Promise<string> {
    const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
    const userId = match ? await tokens.verify(match[1]!) : undefined;
    if (!userId) {
      throw notAuthenticatedError({
        detail: match ? 'The access token is invalid or has expired.' : 'Send an access token: Authorization: Bearer <token>.',
        headers: { 'www-authenticate': match ? 'Bearer error="invalid_token"' : 'Bearer' },
      });
    }
    return userId;
  };
}

export type Authenticate = ReturnType<typeof createAuthenticate>;
