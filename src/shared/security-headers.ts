import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import helmet from 'helmet';

const applyHelmet = helmet({
  contentSecurityPolicy: {
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      // Swagger UI and ReDoc set inline styles; ReDoc runs its search in a blob: worker.
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:', 'blob:'],
      workerSrc: ["'self'", 'blob:'],
      fontSrc: ["'self'", 'data:'],
      connectSrc: ["'self'"],
      frameAncestors: ["'none'"],
      // The service listens on plain HTTP (port 8000) unless a proxy terminates TLS: upgrading /docs' own
      // script and style requests to https would blank the page for an operator on http://host:8000.
      upgradeInsecureRequests: null,
    },
  },
});

/**
 * Helmet's headers as a fixed set: with no per-request nonce they are the same for every answer, so helmet
 * runs once here, against a recording response, instead of on every request (per request it cost about a
 * tenth of a small request's time).
 */
export function computeSecurityHeaders(): Record<string, string> {
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader: (name: string, value: string | number | readonly string[]) => void (headers[name.toLowerCase()] = String(value)),
    removeHeader: (name: string) => void delete headers[name.toLowerCase()],
  };
  applyHelmet({} as IncomingMessage, recorder as unknown as ServerResponse, (error?: unknown) => {
    if (error) throw error;
  });
  return headers;
}

// Every answer under these holds a secret (a token, a SIP secret, a link) or personal data (an email, a
// name), errors included: no cache on the way may keep it.
const PRIVATE_PREFIXES = /^\/(auth|sip|provisioning)(\/|\?|$)/;

/**
 * Security headers (with a CSP under which /docs and /redoc work) and the request id on every answer, and
 * `Cache-Control: no-store` on every answer of the private routes. Set before routing, so problem answers
 * (401, 404, 422, 429…) carry them too.
 */
export function installSecurityHeaders(app: FastifyInstance): void {
  const headers = computeSecurityHeaders();
  app.addHook('onRequest', (request, reply, done) => {
    reply.headers(headers);
    reply.header('x-request-id', request.id);
    if (PRIVATE_PREFIXES.test(request.url)) reply.header('cache-control', 'no-store');
    done();
  });
}
