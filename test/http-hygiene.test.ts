import { describe, expect, it } from 'vitest';
import { createTestService, GOOD_PASSWORD, registerAndLogin, serviceForThisFile, uniqueEmail } from './support/test-service.ts';

const file = serviceForThisFile({ env: { AUTH_RATE_LIMIT_PER_MINUTE: '3', BODY_LIMIT_BYTES: '2048' } });

describe('health', () => {
  it('answers /healthz and /readyz with 200 while the database answers, /readyz saying the worker runs and account changes are listened to', async () => {
    expect((await file.service.app.inject('/healthz')).json()).toEqual({ status: 'ok' });
    // Just started, the worker may still be recovering what a dead process left (`starting`); then it runs.
    const readyz = async () => (await file.service.app.inject('/readyz')).json<{ worker: string }>();
    expect(['starting', 'running']).toContain((await readyz()).worker);
    await expect.poll(async () => (await readyz()).worker, { timeout: 15_000 }).toBe('running');
    expect(await readyz()).toEqual({
      status: 'ok',
      database: 'ok',
      worker: 'running',
      worker_last_beat_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      account_changes: 'listening',
    });
  });

  it('answers /readyz with 503 when the database does not answer', async () => {
    const broken = await createTestService({
      database: { ...file.database.handle, ping: async () => Promise.reject(new Error('connection refused')) },
      startWorker: false,
    });
    try {
      const response = await broken.app.inject('/readyz');
      expect(response.statusCode).toBe(503);
      expect(response.json()).toEqual({ status: 'unavailable', database: 'unreachable', worker: 'stopped', worker_last_beat_at: null, account_changes: 'listening' });
    } finally {
      await broken.close();
    }
  });
});

describe('API documentation', () => {
  it('serves the OpenAPI document with every route and the OAuth2 password flow', async () => {
    const document = (await file.service.app.inject('/openapi.json')).json();
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/auth/register', '/auth/login', '/auth/me', '/sip/credentials', '/healthz', '/readyz']));
    expect(document.components.securitySchemes.OAuth2PasswordBearer.flows.password.tokenUrl).toBe('/auth/login');
    expect(document.paths['/sip/credentials'].get.responses).toHaveProperty('409');
  });

  it('serves Swagger UI at /docs and ReDoc at /redoc with its script from this service', async () => {
    const docs = await file.service.app.inject('/docs/');
    expect(docs.statusCode).toBe(200);
    expect(docs.body).toContain('swagger-ui');
    const redoc = await file.service.app.inject('/redoc');
    expect(redoc.body).toContain('<redoc spec-url="/openapi.json">');
    expect(redoc.body).toContain('src="/redoc/redoc.standalone.js"');
    expect(redoc.body).not.toMatch(/https?:\/\/(cdn|unpkg)/);
    const script = await file.service.app.inject('/redoc/redoc.standalone.js');
    expect(script.statusCode).toBe(200);
    expect(script.body.length).toBeGreaterThan(100_000);
  });
});

describe('HTTP hygiene', () => {
  it('sends security headers, a content security policy and a request id', async () => {
    const response = await file.service.app.inject('/healthz');
    expect(response.headers['content-security-policy']).toContain("default-src 'self'");
    expect(response.headers['content-security-policy']).not.toContain('upgrade-insecure-requests');
    expect(response.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers an unknown route with a 404 problem', async () => {
    const response = await file.service.app.inject('/nope');
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json()).toMatchObject({ status: 404, code: 'not_found', title: 'Not found' });
  });

  it('never echoes a provisioning token in a 404, whatever the path looks like', async () => {
    const token = 'Tk' + 'x'.repeat(41);
    for (const url of [`/provisioning/${token}/nope`, `/provisioning//${token}`, `/Provisioning/${token}`, `/provisioning/${token}/qr.png/more?t=${token}`]) {
      const response = await file.service.app.inject(url);
      expect(response.statusCode).toBe(404);
      expect(response.body).not.toContain(token);
      expect(response.json().instance).toContain('/provisioning/[redacted]');
    }
  });

  it('sends Cache-Control: no-store on every answer of /auth, /sip and /provisioning, errors included, and not on /healthz', async () => {
    const { app } = file.service;
    const { token, register } = await registerAndLogin(app, { email: uniqueEmail('nostore') });
    const bearer = { authorization: `Bearer ${token}` };
    const answers = [
      register,
      await app.inject({ method: 'POST', url: '/auth/register', payload: { email: 'bad' } }),
      await app.inject({ method: 'POST', url: '/auth/login', payload: { email: uniqueEmail(), password: GOOD_PASSWORD }, remoteAddress: '192.0.2.77' }),
      await app.inject({ method: 'GET', url: '/auth/me', headers: bearer }),
      await app.inject({ method: 'GET', url: '/auth/me' }),
      await app.inject({ method: 'GET', url: '/sip/credentials', headers: bearer }),
      await app.inject({ method: 'GET', url: '/sip/credentials/rotation', headers: bearer }),
      await app.inject({ method: 'GET', url: '/sip/credentials/sip-uri', headers: bearer }),
      await app.inject({ method: 'GET', url: '/sip/credentials/nope', headers: bearer }),
      await app.inject({ method: 'POST', url: '/sip/provisioning-links', headers: bearer }),
      await app.inject({ method: 'GET', url: `/provisioning/${'A'.repeat(43)}` }),
    ];
    expect(answers.map((answer) => answer.statusCode)).toEqual([201, 422, 401, 200, 401, 200, 200, 200, 422, 201, 404]);
    for (const answer of answers) expect(answer.headers['cache-control']).toBe('no-store');
    expect((await app.inject('/healthz')).headers['cache-control']).toBeUndefined();
  });

  it('refuses a body over the limit with a 413 problem', async () => {
    const response = await file.service.app.inject({ method: 'POST', url: '/auth/login', payload: { email: 'a@example.com', password: 'x'.repeat(4000) } });
    expect(response.statusCode).toBe(413);
    expect(response.json().code).toBe('payload_too_large');
  });

  it('refuses an unsupported content type with a 415 problem', async () => {
    const response = await file.service.app.inject({ method: 'POST', url: '/auth/login', payload: 'hello', headers: { 'content-type': 'text/plain' } });
    expect(response.statusCode).toBe(415);
    expect(response.json().code).toBe('unsupported_media_type');
  });

  it('rate-limits the /auth routes with 429 rate_limited and Retry-After', async () => {
    const attempt = () =>
      file.service.app.inject({ method: 'POST', url: '/auth/login', payload: { email: uniqueEmail(), password: GOOD_PASSWORD }, remoteAddress: '203.0.113.9' });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await attempt()).statusCode);
    expect(statuses).toEqual([401, 401, 401, 429]);
    const limited = await attempt();
    expect(limited.json()).toMatchObject({ status: 429, code: 'rate_limited' });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  });
});
