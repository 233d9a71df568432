import { describe, expect, it } from 'vitest';
import { createTestService, registerAndLogin, serviceForThisFile } from './support/test-service.ts';

const file = serviceForThisFile({ startWorker: false });

const requestLines = (lines: string[]) => lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => 'statusCode' in line);

describe('request log at the default level (info)', () => {
  it('writes one line per request with method, route pattern, URL, status, duration and request id', async () => {
    const { token } = await registerAndLogin(file.service.app);
    const before = file.service.logs.lines.length;
    const response = await file.service.app.inject({ method: 'GET', url: '/sip/credentials', headers: { authorization: `Bearer ${token}` } });
    const lines = file.service.logs.lines.slice(before).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 30,
      msg: 'request completed',
      reqId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      method: 'GET',
      route: '/sip/credentials',
      url: '/sip/credentials',
      statusCode: response.statusCode,
      responseTime: expect.any(Number),
    });
    expect(file.service.logs.text).not.toContain('incoming request');
  });

  it('logs the route pattern of a provisioning link, never its token, and no query string under /auth and /provisioning', async () => {
    const before = file.service.logs.lines.length;
    await file.service.app.inject({ method: 'GET', url: '/provisioning/SOMETOKEN123/qr.png?password=hunter22' });
    await file.service.app.inject({ method: 'POST', url: '/auth/login?password=hunter22', payload: { email: 'nobody@example.com', password: 'wrong password 1234' } });
    await file.service.app.inject({ method: 'GET', url: '/no/such/route?password=kept-elsewhere' });
    const lines = requestLines(file.service.logs.lines.slice(before));
    expect(lines.map((line) => [line.route, line.url, line.statusCode])).toEqual([
      ['/provisioning/:token/qr.png', '/provisioning/[redacted]/qr.png', 404],
      ['/auth/login', '/auth/login', 401],
      [undefined, '/no/such/route?password=kept-elsewhere', 404],
    ]);
    const text = file.service.logs.lines.slice(before).join('\n');
    expect(text).not.toContain('SOMETOKEN123');
    expect(text).not.toContain('hunter22');
  });

  it('writes no request line at LOG_LEVEL=warn', async () => {
    const quiet = await createTestService({ database: file.database.handle, env: { LOG_LEVEL: 'warn' }, startWorker: false });
    try {
      await quiet.app.inject('/healthz');
      await quiet.app.inject('/no/such/route');
      expect(requestLines(quiet.logs.lines)).toEqual([]);
    } finally {
      await quiet.close();
    }
  });
});
