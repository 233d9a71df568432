import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { BODY_PROBLEMS, problemResponses } from '../../shared/schemas.ts';
import { isAppError, validationFailedError } from '../../shared/errors.ts';
import { TokenAnswer } from './auth.schemas.ts';
import { bearerSecurity, type Authenticate } from './authenticate.ts';
import { RefreshCookieHeaders, type RefreshCookie, type TokenLifetimes } from './refresh-cookie.ts';
import { sessionClient } from './session-client.ts';
import { invalidRefreshTokenError, sessionNotFoundError } from './sessions.errors.ts';
import { RefreshBody, SessionIdParams, SessionList } from './sessions.schemas.ts';
import type { SessionUseCases } from './sessions.usecases.ts';

const SESSION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Refresh, logout, and the user's list of signed-in devices. */
export function registerSessionRoutes(app: FastifyInstance, { sessions, authenticate, refreshCookie, rateLimitPerMinute, lifetimes }: {
  sessions: Pick<SessionUseCases, 'refresh' | 'end' | 'endAll' | 'list'>;
  authenticate: Authenticate;
  /** The web page's refresh-token cookie: read by refresh when asked for, renewed by refresh, cleared by logout. */
  refreshCookie: RefreshCookie;
  rateLimitPerMinute: number;
  lifetimes: TokenLifetimes;
}): void {
  const router = app.withTypeProvider<TypeBoxTypeProvider>();
  const rateLimit = { rateLimit: { max: rateLimitPerMinute, timeWindow: '1 minute' } };

  router.post('/auth/refresh', {
    config: rateLimit,
    schema: {
      tags: ['auth'],
      summary: 'A new access token and a new refresh token for a refresh token (which is spent)',
      description:
        'JSON `{"refresh_token"}` or the OAuth2 refresh form. Each refresh token works once: 401 `invalid_refresh_token` for an unknown, ' +
        'expired or spent one, and presenting a spent one again ends its whole session (the refresh token was copied). ' +
        'The web page sends `X-Refresh-Cookie: 1` and a body without `refresh_token` (`{}`): the token is read from its HttpOnly cookie, ' +
        'the new one set in it (not in the body), and a refused one cleared.',
      headers: RefreshCookieHeaders,
      body: RefreshBody,
      response: { 200: TokenAnswer, ...problemResponses(...BODY_PROBLEMS, 401, 403, 422, 429) },
    },
    handler: async (request, reply) => {
      const refreshToken = request.body.refresh_token ?? refreshCookie.read(request);
      if (!refreshToken) {
        // Apps get the answer a missing field always got; the page, that it has no session to resume.
        if (!refreshCookie.asked(request)) throw validationFailedError([{ field: 'refresh_token', message: "must have required property 'refresh_token'" }]);
        throw invalidRefreshTokenError({ detail: 'No refresh token cookie: log in again.' });
      }
      try {
        return refreshCookie.answer(request, reply, await sessions.refresh(refreshToken, sessionClient(request)), lifetimes);
      } catch (error) {
        // A spent or unknown token is of no use to keep; a deactivated user's stays (it works again once enabled).
        if (refreshCookie.asked(request) && isAppError(error) && error.code === 'invalid_refresh_token') refreshCookie.clear(reply);
        throw error;
      }
    },
  });

  router.post('/auth/logout', {
    config: rateLimit,
    schema: {
      tags: ['auth'],
      summary: 'End this session: its access and refresh tokens are refused from now on',
      description: 'With `X-Refresh-Cookie: 1` the web page\'s refresh-token cookie is cleared too (whatever the outcome).',
      security: bearerSecurity,
      headers: RefreshCookieHeaders,
      response: { 204: { type: 'null', description: 'Signed out.' }, ...problemResponses(...BODY_PROBLEMS, 401, 429) },
    },
    handler: async (request, reply) => {
      if (refreshCookie.asked(request)) refreshCookie.clear(reply);
      const { userId, sessionId } = await authenticate.principal(request);
      // A token from before sessions existed has none to end: it expires on its own. One that ended meanwhile is signed out too.
      if (sessionId) await sessions.end(userId, sessionId, 'logout');
      return reply.status(204).send(null);
    },
  });

  router.post('/auth/logout-all', {
    config: rateLimit,
    schema: {
      tags: ['auth'],
      summary: 'End every session of the user, this one included',
      description: 'With `X-Refresh-Cookie: 1` the web page\'s refresh-token cookie is cleared too.',
      security: bearerSecurity,
      headers: RefreshCookieHeaders,
      response: { 204: { type: 'null', description: 'Signed out everywhere.' }, ...problemResponses(...BODY_PROBLEMS, 401, 429) },
    },
    handler: async (request, reply) => {
      if (refreshCookie.asked(request)) refreshCookie.clear(reply);
      await sessions.endAll(await authenticate(request), 'logout_all');
      return reply.status(204).send(null);
    },
  });

  router.get('/auth/sessions', {
    config: rateLimit,
    schema: {
      tags: ['auth'],
      summary: 'The user\'s live sessions (signed-in devices), the most recently used first',
      security: bearerSecurity,
      response: { 200: SessionList, ...problemResponses(401, 429) },
    },
    handler: async (request) => {
      const { userId, sessionId } = await authenticate.principal(request);
      const rows = await sessions.list(userId);
      return {
        sessions: rows.map((row) => ({
          id: row.id,
          created_at: row.createdAt.toISOString(),
          last_used_at: row.lastUsedAt.toISOString(),
          expires_at: row.expiresAt.toISOString(),
          ip_address: row.ipAddress,
          user_agent: row.userAgent,
          current: row.id === sessionId,
        })),
      };
    },
  });

  router.delete('/auth/sessions/:id', {
    config: rateLimit,
    schema: {
      tags: ['auth'],
      summary: 'End one of the user\'s sessions (sign a device out)',
      description: '404 `session_not_found` for an id that is not a live session of this user.',
      security: bearerSecurity,
      params: SessionIdParams,
      response: { 204: { type: 'null', description: 'Ended.' }, ...problemResponses(401, 404, 429) },
    },
    handler: async (request, reply) => {
      const userId = await authenticate(request);
      const ended = SESSION_ID.test(request.params.id) && (await sessions.end(userId, request.params.id, 'ended_by_user'));
      if (!ended) throw sessionNotFoundError({ detail: 'No live session of yours has this id.' });
      return reply.status(204).send(null);
    },
  });
}
