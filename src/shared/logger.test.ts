import { describe, expect, it } from 'vitest';
import { createLogger, loggedUrl, redactUrl } from './logger.ts';

function logLine(write: (logger: ReturnType<typeof createLogger>) => void): string {
  let line = '';
  const logger = createLogger({ level: 'info', destination: { write: (chunk: string) => void (line += chunk) } });
  write(logger);
  return line;
}

describe('logger redaction', () => {
  it('censors secret fields at the top level and inside the objects we log', () => {
    const line = logLine((logger) =>
      logger.info({ password: 'pw-1', account: { secret: 'sip-2', extension: '1000' }, config: { clientSecret: 'cs-3' }, err: { token: 'tk-4' } }, 'x'),
    );
    for (const secret of ['pw-1', 'sip-2', 'cs-3', 'tk-4']) expect(line).not.toContain(secret);
    expect(line).toContain('"extension":"1000"');
  });

  it('logs a request as method and token-free URL, never its headers', () => {
    const line = logLine((logger) =>
      logger.info({ req: { method: 'GET', url: '/provisioning/TOKEN123', headers: { authorization: 'Bearer abc.def.ghi' } } }, 'x'),
    );
    expect(line).toContain('"url":"/provisioning/[redacted]"');
    expect(line).not.toContain('abc.def.ghi');
    expect(line).not.toContain('TOKEN123');
  });

  it('cuts provisioning tokens and token query parameters out of URLs', () => {
    expect(redactUrl('/provisioning/SECRETTOKEN/qr.png?x=1')).toBe('/provisioning/[redacted]/qr.png?x=1');
    expect(redactUrl('/a?token=SECRET&b=2')).toBe('/a?token=[redacted]&b=2');
  });

  it('drops the query string of /auth and /provisioning URLs, and only theirs', () => {
    expect(loggedUrl('/auth/login?password=hunter22')).toBe('/auth/login');
    expect(loggedUrl('/provisioning/SECRETTOKEN/qr.png?x=1')).toBe('/provisioning/[redacted]/qr.png');
    expect(loggedUrl('/sip/credentials?x=1')).toBe('/sip/credentials?x=1');
  });

  it('logs a PostgreSQL error without the value it quotes or its detail, through a chain of causes', () => {
    const pgError = Object.assign(new Error('invalid input syntax for type uuid: "not-a-uuid-secret"'), {
      code: '22P02', severity: 'ERROR', detail: 'Key (email)=(owner@example.com) already exists.',
    });
    const queryError = Object.assign(new Error('Failed query: select 1 where id = $1\nparams: not-a-uuid-secret'), { query: 'select 1 where id = $1', params: ['not-a-uuid-secret'] });
    const outer = new Error('request failed', { cause: Object.assign(queryError, { cause: pgError }) });
    const line = logLine((logger) => logger.error({ err: outer }, 'x'));
    expect(line).toContain('invalid input syntax for type uuid');
    expect(line).toContain('params: [redacted]');
    expect(line).not.toContain('not-a-uuid-secret');
    expect(line).not.toContain('owner@example.com');
  });
});
