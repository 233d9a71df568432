import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { BODY_PROBLEMS, problemResponses } from '../../shared/schemas.ts';
import { TokenResponse } from './auth.schemas.ts';
import { bearerSecurity, type Authenticate } from './authenticate.ts';
import { sessionClient } from './session-client.ts';
import { sessionNotFoundError } from './sessions.errors.ts';
import { RefreshBody, SessionIdParams, SessionList } from './sessions.schemas.ts';
import type { IssuedTokens, SessionUseCases } from './sessions.usecases.ts';

const SESSION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The answer of login, refresh and password change, from what the session use cases issued. */
export function tokenAnswer(issued: IssuedTokens, lifetimes: { accessSeconds: number; refreshSeconds: number }) {
  return {
    access_token: issued.accessToken,
    token_type: 'bearer' as const,
    expires_in: lifetimes.accessSeconds,
    refresh_token: issued.refreshToken,
    refresh_token_expires_in: lifetimes.refreshSeconds,
  };
}

/** Refresh, logout, and the user's list of signed-in devices. */
export function registerSessionRoutes(app: FastifyInstance, { sessions, authenticate, rateLimitPerMinute, lifetimes }: {
  sessions: Pick<SessionUseCases, 'refresh' | 'end' | 'endAll' | 'list'>;
  authenticate: Authenticate;
  rateLimitPerMinute: number;
  lifetimes: { accessSeconds: number; refreshSeconds: number };
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
        'expired or spent one, and presenting a spent one again ends its whole session (the refresh token was copied).',
      body: RefreshBody,
      response: { 200: TokenResponse, ...problemResponses(...BODY_PROBLEMS, 401, 403, 422, 429) },
    },
    handler: async (request) => tokenAnswer(await sessions.refresh(request.body.refresh_token, sessionClient(request)), lifetimes),
  });

  router.post('/auth/logout', {
    config: rateLimit,
    schema: {
      tags: ['auth'],
      summary: 'End this session: its access and refresh tokens are refused from now on',
      security: bearerSecurity,
      response: { 204: { type: 'null', description: 'Signed out.' }, ...problemResponses(...BODY_PROBLEMS, 401, 429) },
    },
    handler: async (request, reply) => {
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
      security: bearerSecurity,
      response: { 204: { type: 'null', description: 'Signed out everywhere.' }, ...problemResponses(...BODY_PROBLEMS, 401, 429) },
    },
    handler: async (request, reply) => {
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
