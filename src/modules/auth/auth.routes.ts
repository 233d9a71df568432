import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { BODY_PROBLEMS, problemResponses } from '../../shared/schemas.ts';
import { validationFailedError } from '../../shared/errors.ts';
import type { createLoginUser } from './auth.usecases.ts';
import { LoginBody, TokenAnswer } from './auth.schemas.ts';
import { RefreshCookieHeaders, type RefreshCookie } from './refresh-cookie.ts';
import { sessionClient } from './session-client.ts';

export function registerAuthRoutes(app: FastifyInstance, { loginUser, refreshCookie, rateLimitPerMinute, tokenLifetimeSeconds, refreshTokenLifetimeSeconds }: {
  loginUser: ReturnType<typeof createLoginUser>;
  /** The web page's refresh-token cookie, set instead of the body's refresh_token when it asks (X-Refresh-Cookie). */
  refreshCookie: RefreshCookie;
  rateLimitPerMinute: number;
  tokenLifetimeSeconds: number;
  refreshTokenLifetimeSeconds: number;
}): void {
  const router = app.withTypeProvider<TypeBoxTypeProvider>();

  router.post('/auth/login', {
    config: { rateLimit: { max: rateLimitPerMinute, timeWindow: '1 minute' } },
    schema: {
      tags: ['auth'],
      summary: 'Log in: an access token and a refresh token (a new session)',
      description:
        'JSON `{"email","password"}`, or the OAuth2 password form (`application/x-www-form-urlencoded`, `username` = email). ' +
        '429 `rate_limited`: too many requests from this address; 429 `login_throttled`: too many failed logins for this account from this address (see Retry-After). ' +
        'With `X-Refresh-Cookie: 1` (the web page) the refresh token is set in an HttpOnly cookie instead of the body.',
      headers: RefreshCookieHeaders,
      body: LoginBody,
      response: { 200: TokenAnswer, ...problemResponses(...BODY_PROBLEMS, 401, 403, 422, 429) },
    },
    handler: async (request, reply) => {
      const email = request.body.email ?? request.body.username;
      if (!email) throw validationFailedError([{ field: 'email', message: 'is required' }]);
      const { userAgent } = sessionClient(request);
      const { accessToken, refreshToken } = await loginUser({ email, password: request.body.password, clientAddress: request.ip, userAgent });
      return refreshCookie.answer(request, reply, { accessToken, refreshToken }, { accessSeconds: tokenLifetimeSeconds, refreshSeconds: refreshTokenLifetimeSeconds });
    },
  });
}
