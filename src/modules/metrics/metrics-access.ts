import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';

export type MetricsAccess = 'allowed' | 'unauthorized' | 'hidden';

const LOOPBACK = /^(?:127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3})$/;
/** Headers a reverse proxy adds: a request carrying one may come from anywhere, whatever its socket says. */
const PROXY_HEADERS = ['x-forwarded-for', 'forwarded', 'x-real-ip'];

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * Who may read /metrics. With METRICS_TOKEN: whoever sends `Authorization: Bearer <token>` (compared in
 * constant time, on digests so that the length leaks nothing either); anyone else gets a 401. Without it:
 * only a client on this host, judged by the socket's address, never by X-Forwarded-For (TRUST_PROXY would
 * let a client forge it), and only when the request came through no proxy (a reverse proxy on this host
 * would otherwise expose the endpoint to everyone it serves); anyone else gets the 404 of an unknown route.
 */
export function createMetricsAccess(token: string | undefined): (request: FastifyRequest) => MetricsAccess {
  if (token !== undefined) {
    const expected = digest(token);
    return (request) => {
      const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
      return match && timingSafeEqual(digest(match[1]!), expected) ? 'allowed' : 'unauthorized';
    };
  }
  return (request) => {
    const direct = PROXY_HEADERS.every((name) => request.headers[name] === undefined);
    return direct && LOOPBACK.test(request.socket.remoteAddress ?? '') ? 'allowed' : 'hidden';
  };
}
