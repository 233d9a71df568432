import { describe, expect, it } from 'vitest';
import { createLogger, redactUrl } from './logger.ts';

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
});
