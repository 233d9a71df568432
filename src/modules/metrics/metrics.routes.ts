import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { notAuthenticatedError } from '../auth/auth.errors.ts';
import { createMetricsAccess } from './metrics-access.ts';
import type { Metrics } from './metrics.ts';

/** The route pattern (`/provisioning/:token`), never the URL: labels must not hold tokens or grow without bound. */
export const routeLabelOf = (route: string | undefined): string => route ?? 'unmatched';
export const routeLabel = (request: FastifyRequest): string => routeLabelOf(request.routeOptions.url);

/**
 * Times every answer by route pattern and status, and serves GET /metrics in the Prometheus text format
 * (see metrics-access.ts for who may read it). Left out of the OpenAPI document: it is for the operator's
 * scraper, not for API clients.
 */
export function registerMetricsRoutes(app: FastifyInstance, { metrics, token, onRequestCompleted }: {
  metrics: Metrics;
  token: string | undefined;
  /** Where to time every answer once it has gone (the request log's controller: no onResponse hook per request). */
  onRequestCompleted: (listener: (request: FastifyRequest, reply: FastifyReply, route: string | undefined) => void) => void;
}): void {
  onRequestCompleted((request, reply, route) => metrics.http.observe(request.method, routeLabelOf(route), reply.statusCode, reply.elapsedTime / 1000));

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
