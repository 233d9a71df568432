/**
 * Tells a lost or refused database connection (the server is down, restarting, or cut us off) from a query
 * that failed on its own merits. The first is worth a 503 and a retry; the second is a bug or a conflict.
 */

/** SQLSTATEs of a server that went away or will not take us now, besides the whole class 08 (connection exception). */
const UNAVAILABLE_SQLSTATES = new Set([
  '57P01', // admin_shutdown: terminated by pg_terminate_backend or a fast shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now: starting up, shutting down, in recovery
  '53300', // too_many_connections
]);

/** Socket errors while connecting to or talking with the server. */
const UNAVAILABLE_ERRNOS = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

/** node-postgres raises these without a code: the socket closed, the client broke, or no connection came in time. */
const UNAVAILABLE_MESSAGES = [
  /^Connection terminated/, // "… unexpectedly", "… due to connection timeout"
  /^timeout exceeded when trying to connect$/, // the pool found no free connection within connectionTimeoutMillis
  /is not queryable$/, // "Client has encountered a connection error and is not queryable"
  /^Client was closed and is not queryable$/,
  /^timeout expired$/, // a single client's connectionTimeoutMillis
];

/** True when `error`, or anything it wraps (Drizzle wraps driver errors in `cause`), is a connection failure. */
export function isDatabaseUnavailable(error: unknown): boolean {
  return connectionFailureCode(error) !== undefined;
}

/**
 * The code that says why (SQLSTATE, errno, or `connection_lost` for the driver's own messages), for a log
 * line: never the wrapping error's message, which may hold query parameters.
 */
export function connectionFailureCode(error: unknown): string | undefined {
  return connectionFailure(error, 0);
}

function connectionFailure(error: unknown, depth: number): string | undefined {
  if (!(error instanceof Object) || depth > 8) return undefined;
  const { code, message, cause, errors } = error as { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
  if (typeof code === 'string' && (code.startsWith('08') || UNAVAILABLE_SQLSTATES.has(code) || UNAVAILABLE_ERRNOS.has(code))) return code;
  if (typeof message === 'string' && UNAVAILABLE_MESSAGES.some((pattern) => pattern.test(message))) return 'connection_lost';
  // Node reports a refused connection to a host with several addresses as an AggregateError.
  for (const inner of Array.isArray(errors) ? errors : []) {
    const found = connectionFailure(inner, depth + 1);
    if (found) return found;
  }
  return connectionFailure(cause, depth + 1);
}
