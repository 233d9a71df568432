import type { FastifyInstance, FastifyRequest } from 'fastify';
import { notAuthenticatedError } from '../auth/auth.errors.ts';
import { createMetricsAccess } from './metrics-access.ts';
import type { Metrics } from './metrics.ts';

/** The route pattern (`/provisioning/:token`), never the URL: labels must not hold tokens or grow without bound. */
export const routeLabel = (request: FastifyRequest): string => request.routeOptions.url ?? 'unmatched';

/**
 * Times every answer by route pattern and status, and serves GET /metrics in the Prometheus text format
 * (see metrics-access.ts for who may read it). Left out of the OpenAPI document: it is for the operator's
 * scraper, not for API clients. Call before the routes are registered, so the hook covers them all.
 */
export function registerMetricsRoutes(app: FastifyInstance, { metrics, token }: { metrics: Metrics; token: string | undefined }): void {
  // A callback hook, not an async one: it runs on every request, and saves a promise each time.
  app.addHook('onResponse', (request, reply, done) => {
    metrics.http.observe(request.method, routeLabel(request), reply.statusCode, reply.elapsedTime / 1000);
    done();
  });

  const access = createMetricsAccess(token);
  app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
    const verdict = access(request);
    if (verdict === 'hidden') return reply.callNotFound();
    if (verdict === 'unauthorized') {
      throw notAuthenticatedError({ detail: 'Send the metrics token: Authorization: Bearer <METRICS_TOKEN>.', headers: { 'www-authenticate': 'Bearer' } });
    }
    const body = await metrics.registry.metrics();
    return reply.header('cache-control', 'no-store').type(metrics.registry.contentType).send(body);
  });
}
