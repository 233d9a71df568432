import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { describeBackgroundParts, type BackgroundParts } from './background-parts.ts';

const HealthResponse = Type.Object({
  status: Type.String(),
  database: Type.Optional(Type.String()),
  worker: Type.Optional(Type.String({ description: '`running`, `starting` (started, its first round not yet come: start-up recovery runs first), `stalled` (its loop has not come round for a minute) or `stopped`' })),
  worker_last_beat_at: Type.Optional(Type.Union([Type.String({ format: 'date-time' }), Type.Null()])),
  account_changes: Type.Optional(Type.String({ description: '`listening`, `reconnecting` (the account cache is bypassed meanwhile) or `disabled`' })),
});

/**
 * /readyz answers 503 only when the database does not: that alone stops this instance from serving requests.
 * The worker and the LISTEN connection are reported but never make it 503, see background-parts.ts.
 */
export function registerHealthRoutes(app: FastifyInstance, { pingDatabase, background }: { pingDatabase: () => Promise<void>; background: BackgroundParts }): void {
  const router = app.withTypeProvider<TypeBoxTypeProvider>();
  router.get('/healthz', {
    schema: { tags: ['health'], summary: 'Liveness: the process answers', response: { 200: HealthResponse } },
    handler: async () => ({ status: 'ok' }),
  });
  router.get('/readyz', {
    schema: {
      tags: ['health'],
      summary: 'Readiness: the database answers (503 when not); the provisioning worker and account-change notifications are reported',
      response: { 200: HealthResponse, 503: HealthResponse },
    },
    handler: async (request, reply) => {
      try {
        await pingDatabase();
        return { status: 'ok', database: 'ok', ...describeBackgroundParts(background) };
      } catch (error) {
        request.log.warn({ err: error }, 'Readiness check: database unreachable');
        return reply.status(503).send({ status: 'unavailable', database: 'unreachable', ...describeBackgroundParts(background) });
      }
    },
  });
}
