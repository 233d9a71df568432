import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';
import { RequestLogger } from './request-logger.ts';
import { redactUrl } from './logger.ts';

// Query strings on these routes can carry what must never be logged (a password sent as ?password=…, a token).
const QUERY_DROPPED = /^\/(?:auth|provisioning)(?:[/?#]|$)/;
// What any of the rewrites below looks for: a URL without any of it is logged as it is (most requests).
const MAY_NEED_REWRITING = /[?#&]|provisioning/i;

/** The URL as logged: provisioning tokens cut out, and no query string at all under /auth and /provisioning. */
export function loggableUrl(url: string): string {
  if (!MAY_NEED_REWRITING.test(url)) return url;
  return redactUrl(QUERY_DROPPED.test(url) ? url.replace(/[?#].*$/, '') : url);
}

/** Told of each answer that has gone, with its route pattern (undefined when no route matched). */
export type CompletedListener = (request: FastifyRequest, reply: FastifyReply, route: string | undefined) => void;

/**
 * One line per request, written when the answer has gone: method, route pattern, URL, status, duration, and the
 * request id (`reqId`, bound by Fastify), instead of Fastify's two (incoming request, request completed) and its
 * extra line for an unknown route. Two synchronous writes per request halved the throughput of a small route at
 * the default level.
 */
export class RequestLogController extends LogController {
  private readonly completedListeners: CompletedListener[] = [];

  /**
   * Runs `listener` when each answer has gone, just before its line: what an `onResponse` hook would do,
   * without Fastify's hook runner on every request (the metrics' timing uses it).
   */
  onCompleted(listener: CompletedListener): void {
    this.completedListeners.push(listener);
  }

  override incomingRequest(): void {}

  override routeNotFound(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const route = request.routeOptions.url; // a getter that builds an object: read once
    for (const listener of this.completedListeners) listener(request, reply, route);
    const log = reply.log;
    const level = error ? 'error' : 'info';
    // The request's own child logger is made only if something else logged through it (request-logger.ts).
    if (log instanceof RequestLogger) {
      if (!log.enabled(level)) return;
      if (!error && log.requestLine(request.method, route, loggableUrl(request.url), reply.statusCode, reply.elapsedTime)) return;
    }
    const line: Record<string, unknown> = {
      method: request.method,
      route,
      url: loggableUrl(request.url),
      statusCode: reply.statusCode,
      responseTime: Math.round(reply.elapsedTime * 100) / 100,
    };
    if (error) line.err = error;
    const msg = error ? 'request errored' : 'request completed';
    if (log instanceof RequestLogger) log.lineWithBindings(level, line, msg);
    else log[level](line, msg);
  }
}
