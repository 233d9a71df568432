import pino from 'pino';

/**
 * Fields of an error that hold the values a query was run with: drizzle's DrizzleQueryError keeps the bound
 * parameters (an argon2id hash, an email…) in `params` and repeats them in its message; PostgreSQL (pg and
 * PGlite alike) repeats the offending value in `detail` ("Key (email)=(…) already exists") and `where`.
 */
const VALUE_FIELDS = new Set(['params', 'parameters', 'detail', 'where', 'internalQuery']);
const MAX_CAUSES = 8;

type ErrorLike = { message: string; stack?: string; cause?: unknown; [key: string]: unknown };

const isErrorLike = (value: unknown): value is ErrorLike =>
  typeof value === 'object' && value !== null && typeof (value as { message?: unknown }).message === 'string';

/** A PostgreSQL error: a five-character SQLSTATE and a severity, as pg and PGlite both report them. */
const isDatabaseError = (error: ErrorLike) =>
  typeof error.code === 'string' && /^[0-9A-Z]{5}$/.test(error.code) && typeof error.severity === 'string';

function scrubMessage(error: ErrorLike): string {
  let message = error.message;
  // drizzle: `Failed query: <sql>\nparams: <values>` — the SQL has placeholders only; the values go.
  if ('params' in error) message = message.replace(/\nparams: [\s\S]*$/, '\nparams: [redacted]');
  // PostgreSQL quotes the offending value last: `invalid input syntax for type uuid: "…"`.
  if (isDatabaseError(error)) message = message.replace(/: ".*"$/s, ': "[redacted]"');
  return message;
}

/** A copy of the error (and its causes) without any value a database query carried. */
function scrub(error: ErrorLike, depth: number): ErrorLike {
  const copy = Object.create(Object.getPrototypeOf(error) as object) as ErrorLike;
  const message = scrubMessage(error);
  for (const key of Object.keys(error)) {
    if (VALUE_FIELDS.has(key) || key === 'cause') continue;
    copy[key] = error[key];
  }
  Object.defineProperty(copy, 'message', { value: message, enumerable: false, writable: true });
  if (typeof error.stack === 'string') {
    Object.defineProperty(copy, 'stack', { value: error.stack.split(error.message).join(message), enumerable: false, writable: true });
  }
  if (isErrorLike(error.cause) && depth < MAX_CAUSES) copy.cause = scrub(error.cause, depth + 1);
  if (Array.isArray(error.errors)) copy.errors = error.errors.map((inner: unknown) => (isErrorLike(inner) ? scrub(inner, depth + 1) : inner));
  return copy;
}

/** pino's error serializer (message and stack with causes), on a copy that holds no query parameter. */
export function serializeError(error: unknown): unknown {
  return pino.stdSerializers.err((isErrorLike(error) ? scrub(error, 0) : error) as Error);
}
