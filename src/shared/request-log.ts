import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';
import { RequestLogger } from './request-logger.ts';
import { loggedUrl } from './logger.ts';

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
      if (!error && log.requestLine(request.method, route, loggedUrl(request.url), reply.statusCode, reply.elapsedTime)) return;
    }
    const line: Record<string, unknown> = {
      method: request.method,
      route,
      url: loggedUrl(request.url),
      statusCode: reply.statusCode,
      responseTime: Math.round(reply.elapsedTime * 100) / 100,
    };
    if (error) line.err = error;
    const msg = error ? 'request errored' : 'request completed';
    if (log instanceof RequestLogger) log.lineWithBindings(level, line, msg);
    else log[level](line, msg);
  }
}
