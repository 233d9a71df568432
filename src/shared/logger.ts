import pino, { type DestinationStream, type Logger } from 'pino';

/**
 * Every field that may hold a secret is censored wherever it appears (one or two levels deep), and URLs of
 * one-time provisioning links lose their token: those are capabilities, as good as a password.
 */
const SECRET_KEYS = [
  'password', 'passwd', 'secret', 'sipSecret', 'sip_secret', 'token', 'access_token', 'accessToken', 'apiToken',
  'clientSecret', 'client_secret', 'authorization', 'cookie', 'passwordHash', 'password_hash', 'secretCiphertext',
  'ha1', 'ha1b', 'extPassword', 'databaseUrl', 'DATABASE_URL',
];
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  ...SECRET_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]),
];

export function redactUrl(url: string): string {
  return url.replace(/\/provisioning\/[^/?#]+/g, '/provisioning/[redacted]').replace(/([?&](?:token|access_token)=)[^&#]*/g, '$1[redacted]');
}

export function createLogger({ level, destination }: { level: string; destination?: DestinationStream }): Logger {
  return pino(
    {
      level,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      serializers: {
        req: (request: { method: string; url: string; id?: string; ip?: string }) => ({
          method: request.method,
          url: redactUrl(request.url),
          requestId: request.id,
          remoteAddress: request.ip,
        }),
        err: pino.stdSerializers.err,
      },
    },
    destination,
  );
}
