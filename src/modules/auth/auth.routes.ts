import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { BODY_PROBLEMS, problemResponses } from '../../shared/schemas.ts';
import { validationFailedError } from '../../shared/errors.ts';
import type { createLoginUser } from './auth.usecases.ts';
import { LoginBody, TokenResponse } from './auth.schemas.ts';
import { sessionClient } from './session-client.ts';

export function registerAuthRoutes(app: FastifyInstance, { loginUser, rateLimitPerMinute, tokenLifetimeSeconds, refreshTokenLifetimeSeconds }: {
  loginUser: ReturnType<typeof createLoginUser>;
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
        '429 `rate_limited`: too many requests from this address; 429 `login_throttled`: too many failed logins for this account from this address (see Retry-After).',
      body: LoginBody,
      response: { 200: TokenResponse, ...problemResponses(...BODY_PROBLEMS, 401, 403, 422, 429) },
    },
    handler: async (request) => {
      const email = request.body.email ?? request.body.username;
      if (!email) throw validationFailedError([{ field: 'email', message: 'is required' }]);
      const { userAgent } = sessionClient(request);
      const { accessToken, refreshToken } = await loginUser({ email, password: request.body.password, clientAddress: request.ip, userAgent });
      return {
        access_token: accessToken,
        token_type: 'bearer' as const,
        expires_in: tokenLifetimeSeconds,
        refresh_token: refreshToken,
        refresh_token_expires_in: refreshTokenLifetimeSeconds,
      };
    },
  });
}
