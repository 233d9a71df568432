import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/shared/logger.ts';
import { RequestLogger, requestChildLogger } from '../../src/shared/request-logger.ts';

function memoryLogger(level: string) {
  const lines: string[] = [];
  const logger = createLogger({ level, destination: { write: (line: string) => void lines.push(line) } });
  return { logger, lines };
}
// The time differs from line to line; everything else must be byte for byte the same.
const withoutTime = (line: string) => line.replace(/"time":\d+,/, '');

describe('the request logger', () => {
  it('writes the request line exactly as pino\'s child logger with the request id would', () => {
    const { logger, lines } = memoryLogger('info');
    const fields = { method: 'GET', route: '/sip/credentials', url: '/sip/credentials', statusCode: 200, responseTime: 0.42 };
    logger.child({ reqId: 'r-1' }).info(fields, 'request completed');
    new RequestLogger(logger, 'r-1').lineWithBindings('info', fields, 'request completed');
    expect(lines).toHaveLength(2);
    expect(withoutTime(lines[1]!)).toBe(withoutTime(lines[0]!));
  });

  it('writes lines pino would write differently through pino: a 404 without route, an odd URL, a redacted or serialized field', () => {
    const { logger, lines } = memoryLogger('info');
    const cases: Record<string, unknown>[] = [
      { method: 'GET', route: undefined, url: '/no/"such"\\route?q=é\u0001', statusCode: 404, responseTime: 1.5 },
      { method: 'GET', route: '/x', url: '/x', statusCode: 200, responseTime: Number.NaN, flag: true },
      { method: 'GET', url: '/x', token: 'must-be-redacted', statusCode: 200 },
      { method: 'GET', url: '/x', err: new Error('boom'), statusCode: 500 },
    ];
    for (const [index, fields] of cases.entries()) {
      logger.child({ reqId: `r-${index}` }).info(fields, 'request completed');
      new RequestLogger(logger, `r-${index}`).lineWithBindings('info', fields, 'request completed');
    }
    for (let index = 0; index < cases.length; index++) expect(withoutTime(lines[2 * index + 1]!)).toBe(withoutTime(lines[2 * index]!));
    expect(lines.join('')).not.toContain('must-be-redacted');
  });

  it('binds the request id to every line logged through it, as request.log did', () => {
    const { logger, lines } = memoryLogger('info');
    const log = requestChildLogger(logger, { reqId: 'r-2' }, {});
    log.warn({ reason: 'ECONNREFUSED' }, 'Database unavailable');
    log.info('plain message');
    (log as unknown as RequestLogger).lineWithBindings('info', { statusCode: 503 }, 'request completed');
    expect(lines.map((line) => JSON.parse(line) as Record<string, unknown>)).toMatchObject([
      { level: 40, reqId: 'r-2', reason: 'ECONNREFUSED', msg: 'Database unavailable' },
      { level: 30, reqId: 'r-2', msg: 'plain message' },
      { level: 30, reqId: 'r-2', statusCode: 503, msg: 'request completed' },
    ]);
    expect(lines.every((line) => line.split('"reqId"').length === 2)).toBe(true);
  });

  it('follows the level: nothing below it is written, and the child redacts as the parent does', () => {
    const { logger, lines } = memoryLogger('warn');
    const log = requestChildLogger(logger, { reqId: 'r-3' }, {});
    log.info('not written');
    (log as unknown as RequestLogger).lineWithBindings('info', { statusCode: 200 }, 'request completed');
    log.error({ password: 'hunter22' }, 'written');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ reqId: 'r-3', password: '[redacted]', msg: 'written' });
    expect(log.level).toBe('warn');
  });

  it('is pino\'s own child when the route sets a level of its own', () => {
    const { logger } = memoryLogger('info');
    expect(requestChildLogger(logger, { reqId: 'r-4' }, { level: 'debug' })).not.toBeInstanceOf(RequestLogger);
  });
});
