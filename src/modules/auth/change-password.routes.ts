import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { BODY_PROBLEMS, problemResponses } from '../../shared/schemas.ts';
import { TokenAnswer } from './auth.schemas.ts';
import { bearerSecurity, type Authenticate } from './authenticate.ts';
import type { createChangePassword } from './change-password.usecases.ts';
import { RefreshCookieHeaders, type RefreshCookie } from './refresh-cookie.ts';
import { sessionClient } from './session-client.ts';
import { ChangePasswordBody } from './sessions.schemas.ts';

export function registerChangePasswordRoutes(app: FastifyInstance, { changePassword, authenticate, refreshCookie, rateLimitPerMinute, lifetimes }: {
  changePassword: ReturnType<typeof createChangePassword>;
  authenticate: Authenticate;
  /** The new session's refresh token goes into the web page's cookie when it asks (X-Refresh-Cookie). */
  refreshCookie: RefreshCookie;
  rateLimitPerMinute: number;
  lifetimes: { accessSeconds: number; refreshSeconds: number };
}): void {
  app.withTypeProvider<TypeBoxTypeProvider>().post('/auth/change-password', {
    config: { rateLimit: { max: rateLimitPerMinute, timeWindow: '1 minute' } },
    schema: {
      tags: ['auth'],
      summary: 'Change the password: every session ends, and the answer holds the tokens of a new one',
      description:
        '401 `invalid_credentials`: the current password is wrong (counted as a failed login: 429 `login_throttled` after too many); ' +
        '422 `password_too_common` or `validation_failed` for the new one. A mail tells the user the password changed.',
      security: bearerSecurity,
      headers: RefreshCookieHeaders,
      body: ChangePasswordBody,
      response: { 200: TokenAnswer, ...problemResponses(...BODY_PROBLEMS, 401, 422, 429) },
    },
    handler: async (request, reply) => {
      const userId = await authenticate(request);
      const issued = await changePassword({
        userId,
        currentPassword: request.body.current_password,
        newPassword: request.body.new_password,
        client: sessionClient(request),
      });
      return refreshCookie.answer(request, reply, issued, lifetimes);
    },
  });
}
