import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { createLogger } from '../../src/shared/logger.ts';
import { hundredthsText, requestLineWriter } from '../../src/shared/request-line.ts';
import { RequestLogger, requestChildLogger } from '../../src/shared/request-logger.ts';

function memoryLogger(level: string) {
  const lines: string[] = [];
  const logger = createLogger({ level, destination: { write: (line: string) => void lines.push(line) } });
  return { logger, lines };
}
// The time differs from line to line; everything else must be byte for byte the same.
const withoutTime = (line: string) => line.replace(/"time":\d+,/, '');

describe('the request logger', () => {
  it('writes the request line exactly as pino\'s child logger with the request id would, for plain and odd input', () => {
    const { logger, lines } = memoryLogger('info');
    const cases: [reqId: string, method: string, route: string | undefined, url: string, statusCode: number, elapsedMs: number][] = [
      ['0b0c5a8e-6a4e-4a57-9a53-0c1f1c7f2f10', 'GET', '/sip/credentials', '/sip/credentials', 200, 0.4217],
      ['r-1', 'GET', undefined, '/no/"such"\\route?q=é\u0001\u2028', 404, 1.5],
      ['r"2', 'POST', '/auth/register', '/auth/register', 201, 0],
      ['r-3', 'GET', '/caf\u00e9/:id', '/caf%C3%A9/1', 200, 12.004],
      ['r-4', 'DELETE', '/admin/users/:id', '/admin/users/1', 204, 123456.789],
      ['r-5', 'GET', '/x', '/x', 500, Number.NaN],
    ];
    const write = requestLineWriter(logger)!;
    for (const [reqId, method, route, url, statusCode, elapsedMs] of cases) {
      logger.child({ reqId }).info({ method, route, url, statusCode, responseTime: Math.round(elapsedMs * 100) / 100 }, 'request completed');
      expect(write(reqId, method, route, url, statusCode, elapsedMs)).toBe(true);
    }
    expect(lines).toHaveLength(2 * cases.length);
    for (let index = 0; index < cases.length; index++) expect(withoutTime(lines[2 * index + 1]!)).toBe(withoutTime(lines[2 * index]!));
  });

  it('prints the duration as String(Math.round(ms * 100) / 100) does, from the integer of hundredths', () => {
    const samples = [0, 0.004, 0.005, 0.1, 0.25, 1, 9.99, 10.1, 99.995, 1e6 + 0.07, 2 ** 31, 1e13 + 0.01, -0.5, Number.POSITIVE_INFINITY];
    for (let hundredths = 0; hundredths < 200_000; hundredths += 1) samples.push(hundredths / 100, hundredths / 100 + 0.003);
    for (let i = 0; i < 10_000; i++) samples.push(Math.random() * 10 ** (i % 9));
    const differing = samples.filter((ms) => {
      const rounded = Math.round(ms * 100) / 100;
      return hundredthsText(ms) !== (Number.isFinite(rounded) ? String(rounded) : 'null');
    });
    expect(differing).toEqual([]);
  });

  it('hands an ASCII line to the destination as ASCII, and any other line as text to encode', () => {
    const ascii: string[] = [];
    const text: string[] = [];
    const logger = createLogger({ level: 'info', destination: { write: (line: string) => void text.push(line), writeAscii: (line: string) => void ascii.push(line) } as never });
    const write = requestLineWriter(logger)!;
    write('r-1', 'GET', '/x', '/x', 200, 1);
    write('r-2', 'GET', '/x', '/x?name=Zoë', 200, 1);
    write('r-3', 'GET', '/caf\u00e9', '/x', 200, 1);
    expect(ascii.map((line) => (JSON.parse(line) as { reqId: string }).reqId)).toEqual(['r-1']);
    expect(text.map((line) => (JSON.parse(line) as { reqId: string }).reqId)).toEqual(['r-2', 'r-3']);
  });

  it('leaves a logger that would change the line to pino: a serializer or redaction of its fields, a mixin', () => {
    const destination = { write: () => undefined };
    expect(requestLineWriter(pino({ serializers: { url: (url: string) => url.toUpperCase() } }, destination))).toBeUndefined();
    expect(requestLineWriter(pino({ redact: ['url'] }, destination))).toBeUndefined();
    expect(requestLineWriter(pino({ mixin: () => ({ extra: 1 }) }, destination))).toBeUndefined();
    expect(requestLineWriter(pino({}, destination))).toBeTypeOf('function');
  });

  it('writes the request line through the parent when no child was made, and declines once one was', () => {
    const { logger, lines } = memoryLogger('info');
    const log = new RequestLogger(logger, 'r-9');
    expect(log.requestLine('GET', '/x', '/x', 200, 0.5)).toBe(true);
    log.info('a child is made now');
    expect(log.requestLine('GET', '/x', '/x', 200, 0.5)).toBe(false);
    expect(lines.map((line) => (JSON.parse(line) as { msg: string; reqId: string }).reqId)).toEqual(['r-9', 'r-9']);
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
