import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';

const HealthResponse = Type.Object({ status: Type.String(), database: Type.Optional(Type.String()) });

export function registerHealthRoutes(app: FastifyInstance, { pingDatabase }: { pingDatabase: () => Promise<void> }): void {
  const router = app.withTypeProvider<TypeBoxTypeProvider>();
  router.get('/healthz', {
    schema: { tags: ['health'], summary: 'Liveness: the process answers', response: { 200: HealthResponse } },
    handler: async () => ({ status: 'ok' }),
  });
  router.get('/readyz', {
    schema: { tags: ['health'], summary: 'Readiness: the database answers', response: { 200: HealthResponse, 503: HealthResponse } },
    handler: async (request, reply) => {
      try {
        await pingDatabase();
        return { status: 'ok', database: 'ok' };
      } catch (error) {
        request.log.warn({ err: error }, 'Readiness check: database unreachable');
        return reply.status(503).send({ status: 'unavailable', database: 'unreachable' });
      }
    },
  });
}
