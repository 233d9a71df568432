import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { connectionFailureCode } from '../db/connection-errors.ts';
import { isAppError, validationFailedError, type AppError, type FieldError } from './errors.ts';
import { redactUrl } from './logger.ts';

const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';
/** Seconds a client should wait before retrying while the database is unreachable: a restart takes a few. */
const DATABASE_RETRY_AFTER_SECONDS = 2;

/** Fastify's own client errors, with codes that stay stable whatever Fastify calls them internally. */
const FASTIFY_CODES: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'malformed_body',
  FST_ERR_CTP_INVALID_JSON_BODY: 'malformed_body',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'malformed_body',
};

/** The request's path as an answer may show it: no query, no provisioning token (a capability). */
const publicPath = (request: FastifyRequest) => redactUrl(request.url.split(/[?#]/, 1)[0]!);

function sendProblem(reply: FastifyReply, request: FastifyRequest, problem: {
  status: number;
  title: string;
  detail: string;
  code: string;
  extra?: Record<string, unknown>;
}) {
  return reply
    .status(problem.status)
    .type(PROBLEM_CONTENT_TYPE)
    .send({
      type: 'about:blank',
      title: problem.title,
      status: problem.status,
      detail: problem.detail,
      code: problem.code,
      instance: publicPath(request),
      request_id: request.id,
      ...problem.extra,
    });
}

function validationErrors(error: FastifyError): FieldError[] {
  return (error.validation ?? []).map((issue) => {
    const missing = (issue.params as { missingProperty?: string; additionalProperty?: string } | undefined) ?? {};
    const base = issue.instancePath.replace(/^\//, '').replaceAll('/', '.');
    const field = missing.missingProperty ?? missing.additionalProperty ?? base;
    return { field: base && field !== base ? `${base}.${field}` : field || '(body)', message: issue.message ?? 'is invalid' };
  });
}

/**
 * One place turns every error into application/problem+json. Errors carry their own status and code; a lost
 * or refused database connection is a 503 `database_unavailable` to retry (src/db/connection-errors.ts);
 * anything unexpected is a generic 500 whose details go to the log (with the request id), never the client.
 */
export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const appError: AppError | undefined = isAppError(error) ? error : error.validation ? validationFailedError(validationErrors(error)) : undefined;
    if (appError) {
      for (const [name, value] of Object.entries(appError.headers)) reply.header(name, value);
      return sendProblem(reply, request, { ...appError, detail: appError.detail, extra: appError.extra });
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      return sendProblem(reply, request, {
        status,
        code: FASTIFY_CODES[error.code] ?? (status === 429 ? 'rate_limited' : 'bad_request'),
        title: status === 429 ? 'Too many requests' : 'Bad request',
        detail: status === 429 ? 'Too many requests; retry after the time in the Retry-After header.' : error.message,
      });
    }
    const connectionFailure = connectionFailureCode(error);
    if (connectionFailure) {
      // Only the code: the wrapping error's message may quote the query's parameters.
      request.log.warn({ reason: connectionFailure }, 'Database unavailable');
      reply.header('retry-after', String(DATABASE_RETRY_AFTER_SECONDS));
      return sendProblem(reply, request, {
        status: 503,
        code: 'database_unavailable',
        title: 'Database unavailable',
        detail: `The database cannot be reached right now; retry in ${DATABASE_RETRY_AFTER_SECONDS} s.`,
      });
    }
    request.log.error({ err: error }, 'Unhandled error');
    return sendProblem(reply, request, {
      status: 500,
      code: 'internal_error',
      title: 'Internal server error',
      detail: 'Something went wrong on our side. Quote the request id when you report it.',
    });
  });

  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, request, { status: 404, code: 'not_found', title: 'Not found', detail: `No route ${request.method} ${publicPath(request)}` }),
  );
}
