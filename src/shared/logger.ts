import pino, { type DestinationStream, type Logger } from 'pino';
import pretty from 'pino-pretty';
import { createBatchedDestination } from './log-destination.ts';
import { serializeError } from './log-error.ts';

/**
 * Every field that may hold a secret is censored at the top level of a log line and inside the objects we
 * log, and URLs of one-time provisioning links lose their token: those are capabilities, as good as a password.
 * No path starts with a wildcard: pino then runs every per-request binding (Fastify makes a child logger for
 * each request) through the wildcard redactor, which cost a tenth of a small request's time.
 */
const SECRET_KEYS = [
  'password', 'passwd', 'secret', 'sipSecret', 'sip_secret', 'token', 'access_token', 'accessToken', 'apiToken',
  'clientSecret', 'client_secret', 'authorization', 'cookie', 'passwordHash', 'password_hash', 'secretCiphertext',
  'ha1', 'ha1b', 'extPassword', 'databaseUrl', 'DATABASE_URL',
];
const OBJECTS_WE_LOG = ['account', 'pbxAccount', 'credentials', 'user', 'body', 'input', 'variables', 'config', 'options', 'job', 'err', 'error'];
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  ...SECRET_KEYS.flatMap((key) => [key, ...OBJECTS_WE_LOG.map((parent) => `${parent}.${key}`)]),
];

export function redactUrl(url: string): string {
  return url.replace(/\/provisioning\/+[^/?#]+/gi, '/provisioning/[redacted]').replace(/([?&](?:token|access_token)=)[^&#]*/g, '$1[redacted]');
}

// Query strings of these routes are user input next to credentials and capabilities (a password or token
// sent in a URL by mistake): the path alone is logged.
const QUERY_DROPPED_UNDER = /^\/(?:auth|provisioning)(?:[/?#]|$)/;
// What any of the rewrites looks for: a URL without any of it is logged as it is (most requests, every request line).
const MAY_NEED_REWRITING = /[?#&]|provisioning/i;

/** The URL as logged: no provisioning token, no token parameter, and no query at all under /auth and /provisioning. */
export function loggedUrl(url: string): string {
  if (!MAY_NEED_REWRITING.test(url)) return url;
  return redactUrl(QUERY_DROPPED_UNDER.test(url) ? url.replace(/[?#][\s\S]*$/, '') : url);
}

export function createLogger({ level, destination }: { level: string; destination?: DestinationStream }): Logger {
  return pino(
    {
      level,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      serializers: {
        req: (request: { method: string; url: string; id?: string; ip?: string }) => ({
          method: request.method,
          url: loggedUrl(request.url),
          requestId: request.id,
          remoteAddress: request.ip,
        }),
        // Database errors carry their query's parameters (hashes, emails): never logged, causes included.
        err: serializeError,
        error: serializeError,
      },
    },
    destination,
  );
}

export type LogFormat = 'json' | 'pretty';

/** LOG_FORMAT, or when unset: readable lines for a person at a terminal, JSON for anything else (a collector, a file). */
export function chooseLogFormat(configured: LogFormat | undefined, isTty = process.stdout.isTTY === true): LogFormat {
  return configured ?? (isTty ? 'pretty' : 'json');
}

/**
 * Standard output in the chosen format. JSON: batched writes that never wait for the reader
 * (log-destination.ts). Pretty: pino-pretty in this process (no worker thread), colours on a terminal,
 * written synchronously so no line is lost on a sudden exit; the lines are redacted before they get here.
 */
export function stdoutLogDestination(format: LogFormat): DestinationStream {
  if (format === 'json') {
    // Touching process.stdout makes Node open fd 1 as it does for its own output: a pipe or a socket becomes
    // non-blocking (libuv), so a stalled reader never stops the loop; a file or a terminal stays as it is.
    void process.stdout;
    return createBatchedDestination({ fd: 1 });
  }
  return pretty({ destination: 1, sync: true, colorize: process.stdout.isTTY === true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' });
}
