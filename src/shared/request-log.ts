import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';
import pino, { type DestinationStream } from 'pino';
import { redactUrl } from './logger.ts';

// Query strings on these routes can carry what must never be logged (a password sent as ?password=…, a token).
const QUERY_DROPPED = /^\/(?:auth|provisioning)(?:[/?#]|$)/;

/** The URL as logged: provisioning tokens cut out, and no query string at all under /auth and /provisioning. */
export function loggableUrl(url: string): string {
  return redactUrl(QUERY_DROPPED.test(url) ? url.replace(/[?#].*$/, '') : url);
}

/**
 * One line per request, written when the answer has gone: method, route pattern, URL, status, duration, and the
 * request id (`reqId`, bound by Fastify), instead of Fastify's two (incoming request, request completed) and its
 * extra line for an unknown route. Two synchronous writes per request halved the throughput of a small route at
 * the default level.
 */
export class RequestLogController extends LogController {
  override incomingRequest(): void {}

  override routeNotFound(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const line = {
      method: request.method,
      route: request.routeOptions.url,
      url: loggableUrl(request.url),
      statusCode: reply.statusCode,
      responseTime: Math.round(reply.elapsedTime * 100) / 100,
    };
    if (error) reply.log.error({ ...line, err: error }, 'request errored');
    else reply.log.info(line, 'request completed');
  }
}

/**
 * Standard output without blocking the event loop: sonic-boom buffers lines while a write is in progress and
 * writes them in one go. pino flushes it synchronously on `exit` (process.exit, an uncaught exception, the end of
 * the event loop after SIGTERM), so lines logged before a fatal exit are not lost; only SIGKILL can drop the few
 * lines still buffered.
 */
export function createStdoutDestination(): DestinationStream & { flushSync(): void } {
  return pino.destination({ dest: 1, sync: false });
}
