import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { ConfigError, loadConfig } from '../src/config/load-config.ts';
import { parsePrometheusText, valueOf, type Sample } from './support/prometheus-text.ts';
import { createTestService, registerAndLogin, serviceForThisFile, type TestService } from './support/test-service.ts';

const file = serviceForThisFile();
const METRICS_TOKEN = randomBytes(24).toString('hex');
let withToken: TestService;
let disabled: TestService;

beforeAll(async () => {
  // No workers: the file's service works the jobs of this database alone.
  withToken = await createTestService({ database: file.database.handle, env: { METRICS_TOKEN }, startWorker: false });
  disabled = await createTestService({ database: file.database.handle, env: { METRICS_ENABLED: 'false' }, startWorker: false });
});
afterAll(async () => {
  await withToken?.close();
  await disabled?.close();
});

const getMetrics = (app: FastifyInstance, { remoteAddress = '127.0.0.1', headers = {} }: { remoteAddress?: string; headers?: Record<string, string> } = {}) =>
  app.inject({ method: 'GET', url: '/metrics', remoteAddress, headers });

async function scrape(app: FastifyInstance): Promise<Sample[]> {
  const response = await getMetrics(app);
  expect(response.statusCode).toBe(200);
  return parsePrometheusText(response.body);
}

const P = 'voip_onboarding_';

describe('GET /metrics without METRICS_TOKEN (loopback only)', () => {
  it.each(['127.0.0.1', '::1', '::ffff:127.0.0.1'])('answers a client on this host (%s) in the Prometheus text format', async (remoteAddress) => {
    const response = await getMetrics(file.service.app, { remoteAddress });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(response.headers['cache-control']).toBe('no-store');
    expect(() => parsePrometheusText(response.body)).not.toThrow();
  });

  it('answers any other client with the 404 of an unknown route', async () => {
    const outside = await getMetrics(file.service.app, { remoteAddress: '203.0.113.9' });
    const unknown = await file.service.app.inject({ method: 'GET', url: '/no-such-route', remoteAddress: '203.0.113.9' });
    expect(outside.statusCode).toBe(404);
    expect(outside.json()).toMatchObject({ code: 'not_found' });
    expect(outside.json().code).toBe(unknown.json().code);
    expect(outside.body).not.toContain('voip_onboarding');
  });

  it.each<Record<string, string>>([{ 'x-forwarded-for': '203.0.113.9' }, { forwarded: 'for=203.0.113.9' }, { 'x-real-ip': '203.0.113.9' }])(
    'refuses a loopback request that a proxy forwarded (%o): a proxy on this host must not expose it',
    async (headers) => {
      expect((await getMetrics(file.service.app, { headers })).statusCode).toBe(404);
    },
  );

  it('is not in the OpenAPI document', async () => {
    const document = (await file.service.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(Object.keys(document.paths)).not.toContain('/metrics');
  });
});

describe('GET /metrics with METRICS_TOKEN', () => {
  it('answers the bearer of the token, from anywhere', async () => {
    for (const scheme of ['Bearer', 'bearer']) {
      const response = await getMetrics(withToken.app, { remoteAddress: '203.0.113.9', headers: { authorization: `${scheme} ${METRICS_TOKEN}` } });
      expect(response.statusCode).toBe(200);
      expect(response.body).toContain(`${P}http_request_duration_seconds`);
    }
  });

  it('answers 401 without the token or with a wrong one, even on loopback', async () => {
    const wrong = METRICS_TOKEN.slice(0, -1) + (METRICS_TOKEN.endsWith('0') ? '1' : '0');
    const attempts: Record<string, string>[] = [{}, { authorization: `Bearer ${wrong}` }, { authorization: `Basic ${METRICS_TOKEN}` }, { authorization: `Bearer ${METRICS_TOKEN}x` }];
    for (const headers of attempts) {
      const response = await getMetrics(withToken.app, { headers });
      expect(response.statusCode).toBe(401);
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(response.headers['www-authenticate']).toBe('Bearer');
      expect(response.json()).toMatchObject({ code: 'not_authenticated' });
    }
  });

  it('must be a token of at least 16 characters, which an error never echoes', () => {
    expect(() => loadConfig({ METRICS_TOKEN: 'too-short-token' })).toThrow(ConfigError);
    try {
      loadConfig({ METRICS_TOKEN: 'too-short-token' });
    } catch (error) {
      expect((error as ConfigError).problems).toEqual([expect.stringMatching(/^METRICS_TOKEN must be at least 16 characters/)]);
      expect((error as ConfigError).message).not.toContain('too-short-token');
    }
  });
});

describe('METRICS_ENABLED=false', () => {
  it('serves no /metrics at all', async () => {
    expect((await getMetrics(disabled.app)).statusCode).toBe(404);
    expect(disabled.deps.metrics).toBeUndefined();
  });
});

describe('what /metrics shows', () => {
  it('counts a sign-up, its job and two credential reads (a cache miss, then a hit), timed by route and status', async () => {
    const app = file.service.app;
    const before = await scrape(app);
    const delta = async (name: string, labels: Record<string, string>) => valueOf(await scrape(app), name, labels) - valueOf(before, name, labels);

    const { token, register } = await registerAndLogin(app);
    expect(register.json().provisioning_status).toBe('active');
    for (let read = 0; read < 2; read++) {
      expect((await app.inject({ method: 'GET', url: '/sip/credentials', headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(200);
    }

    expect(await delta(`${P}signups_total`, { outcome: 'active' })).toBe(1);
    await expect.poll(() => delta(`${P}provisioning_jobs_total`, { outcome: 'finish' })).toBe(1);
    expect(await delta(`${P}account_cache_lookups_total`, { result: 'miss' })).toBe(1);
    expect(await delta(`${P}account_cache_lookups_total`, { result: 'hit' })).toBe(1);
    const http = `${P}http_request_duration_seconds`;
    expect(await delta(`${http}_count`, { method: 'POST', route: '/auth/register', status_code: '201' })).toBe(1);
    expect(await delta(`${http}_count`, { method: 'POST', route: '/auth/login', status_code: '200' })).toBe(1);
    expect(await delta(`${http}_count`, { method: 'GET', route: '/sip/credentials', status_code: '200' })).toBe(2);
    expect(await delta(`${http}_bucket`, { method: 'GET', route: '/sip/credentials', status_code: '200', le: '+Inf' })).toBe(2);
    expect(await delta(`${http}_sum`, { route: '/sip/credentials' })).toBeGreaterThan(0);
  });

  it('shows the queue by state, and the process metrics', async () => {
    const samples = await scrape(file.service.app);
    for (const state of ['queued', 'running', 'awaiting_apply']) {
      expect(samples.filter((s) => s.name === `${P}provisioning_queue_jobs` && s.labels.state === state)).toHaveLength(1);
      expect(samples.filter((s) => s.name === `${P}provisioning_queue_oldest_job_age_seconds` && s.labels.state === state)).toHaveLength(1);
    }
    for (const name of ['process_cpu_user_seconds_total', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_seconds', 'nodejs_heap_size_used_bytes']) {
      expect(samples.some((s) => s.name === name)).toBe(true);
    }
  });

  it('labels a route by its pattern, never by the URL: no token reaches a label', async () => {
    const app = file.service.app;
    const linkToken = randomBytes(32).toString('base64url');
    const stray = randomBytes(16).toString('hex');
    const before = await scrape(app);
    expect((await app.inject({ method: 'GET', url: `/provisioning/${linkToken}` })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: `/provisioning/${linkToken}/qr.png` })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: `/nothing/here/${stray}?token=${stray}` })).statusCode).toBe(404);

    const text = (await getMetrics(app)).body;
    expect(text).not.toContain(linkToken);
    expect(text).not.toContain(stray);
    const after = parsePrometheusText(text);
    const count = (route: string) =>
      valueOf(after, `${P}http_request_duration_seconds_count`, { route, status_code: '404' }) -
      valueOf(before, `${P}http_request_duration_seconds_count`, { route, status_code: '404' });
    expect(count('/provisioning/:token')).toBe(1);
    expect(count('/provisioning/:token/qr.png')).toBe(1);
    expect(count('unmatched')).toBe(1);
  });
});
