import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { validationFailedError } from '../../shared/errors.ts';
import { problemResponses, Timestamp } from '../../shared/schemas.ts';
import { bearerSecurity, type Authenticate } from '../auth/authenticate.ts';
import { decodeCursor, encodeCursor } from './access-log-cursor.ts';
import type { CredentialAccessRepository } from './credential-access.repository.ts';

const DEFAULT_LIMIT = 20;
const MAX_LIMIT = 100;

const AccessLogEntry = Type.Object({
  accessed_at: Timestamp,
  channel: Type.String({ description: '`json`, `linphone-xml`, `acrobits`, `sessiontalk`, `<format>/qr.png`, `<format>/qr.svg` or `provisioning_link`.', examples: ['json'] }),
  address: Type.String({ description: 'The client address.', examples: ['203.0.113.7'] }),
  user_agent: Type.Union([Type.String(), Type.Null()]),
  count: Type.Integer({ minimum: 1, description: 'Identical deliveries (same channel, address and user agent) within a second share one entry; `accessed_at` is the first.' }),
});

const AccessLogPage = Type.Object({
  items: Type.Array(AccessLogEntry),
  next_cursor: Type.Union([Type.String(), Type.Null()], { description: 'Pass as `cursor` for the next (older) page; null on the last page.' }),
});

// Query values are text (no type coercion in this API): the limit is checked as digits, then as a range.
const Query = Type.Object(
  {
    limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,3}$', description: `1 to ${MAX_LIMIT}; default ${DEFAULT_LIMIT}.` })),
    cursor: Type.Optional(Type.String({ maxLength: 64 })),
  },
  { additionalProperties: false },
);

export function registerCredentialAccessRoutes(app: FastifyInstance, { accessLog, flushPending, authenticate }: {
  accessLog: Pick<CredentialAccessRepository, 'page'>;
  /** Writes this instance's waiting entries first, so a user sees their own latest read here at once. */
  flushPending: () => Promise<void>;
  authenticate: Authenticate;
}): void {
  app.withTypeProvider<TypeBoxTypeProvider>().get('/sip/credentials/access-log', {
    schema: {
      tags: ['sip'],
      summary: 'Who saw my SIP credentials',
      description:
        'Every delivery of the SIP secret (GET /sip/credentials, each format and QR code holding it, a provisioning link fetched by Linphone): ' +
        'when, by which channel, from which address and user agent. Newest first, paged with `next_cursor`; kept ACCESS_LOG_RETENTION_DAYS. ' +
        'A delivery served by another instance may take a second to show.',
      security: bearerSecurity,
      querystring: Query,
      response: { 200: AccessLogPage, ...problemResponses(401, 422) },
    },
    handler: async (request, reply) => {
      const userId = await authenticate(request);
      const limit = request.query.limit === undefined ? DEFAULT_LIMIT : Number(request.query.limit);
      if (limit < 1 || limit > MAX_LIMIT) throw validationFailedError([{ field: 'limit', message: `must be from 1 to ${MAX_LIMIT}` }]);
      const cursor = request.query.cursor === undefined ? undefined : decodeCursor(request.query.cursor);
      if (request.query.cursor !== undefined && !cursor) throw validationFailedError([{ field: 'cursor', message: 'is not a cursor this service gave' }]);
      await flushPending();
      // One more than asked tells whether an older page exists.
      const rows = await accessLog.page(userId, limit + 1, cursor);
      const items = rows.slice(0, limit);
      const last = items.at(-1);
      reply.header('cache-control', 'no-store');
      return {
        items: items.map((row) => ({ accessed_at: row.accessedAt.toISOString(), channel: row.channel, address: row.address, user_agent: row.userAgent, count: row.count })),
        next_cursor: rows.length > limit && last ? encodeCursor(last) : null,
      };
    },
  });
}
