import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { applyFails, createScriptedPbx, pbxDown, pbxRefuses } from './support/pbx-doubles.ts';
import { parsePrometheusText, valueOf, type Sample } from './support/prometheus-text.ts';
import { createTestService, GOOD_PASSWORD, serviceForThisFile, uniqueEmail, type TestService } from './support/test-service.ts';

// A PBX that needs Apply Config, scripted per test; this file's database is worked by this service alone.
const pbx = createScriptedPbx({ needsApply: true, applyMs: 5 });
const file = serviceForThisFile({ env: { PROVISION_WAIT_MS: '0' }, overrides: { driver: pbx.driver } });
const P = 'voip_onboarding_';

async function scrape(app: FastifyInstance): Promise<Sample[]> {
  const response = await app.inject({ method: 'GET', url: '/metrics' });
  expect(response.statusCode).toBe(200);
  return parsePrometheusText(response.body);
}

/** Reads `name{labels}` now, minus what it was when the counter was made. */
async function counterFrom(app: FastifyInstance, name: string, labels: Record<string, string>) {
  const start = valueOf(await scrape(app), name, labels);
  return async () => valueOf(await scrape(app), name, labels) - start;
}

const register = (app: FastifyInstance) =>
  app.inject({ method: 'POST', url: '/auth/register', payload: { email: uniqueEmail('metrics'), password: GOOD_PASSWORD } });

describe('provisioning metrics', () => {
  it('counts a job the PBX refused for good, and the refusal by operation and kind', async () => {
    const app = file.service.app;
    const failed = await counterFrom(app, `${P}provisioning_jobs_total`, { outcome: 'fail' });
    const refused = await counterFrom(app, `${P}pbx_call_errors_total`, { operation: 'create', kind: 'rejected' });
    pbx.failWith(pbxRefuses);
    try {
      expect((await register(app)).statusCode).toBe(201);
      await expect.poll(failed).toBe(1);
      expect(await refused()).toBe(1);
    } finally {
      pbx.failWith(undefined);
    }
  });

  it('counts a retry after the PBX was down, then the push and the Apply Config that made it live', async () => {
    const app = file.service.app;
    const retried = await counterFrom(app, `${P}provisioning_jobs_total`, { outcome: 'retry' });
    const down = await counterFrom(app, `${P}pbx_call_errors_total`, { operation: 'create', kind: 'unavailable' });
    const pushed = await counterFrom(app, `${P}provisioning_jobs_total`, { outcome: 'await_apply' });
    const applied = await counterFrom(app, `${P}pbx_apply_runs_total`, { outcome: 'succeeded' });
    let failures = 1;
    pbx.failWith(() => (failures-- > 0 ? pbxDown() : undefined));
    try {
      expect((await register(app)).statusCode).toBe(201);
      await expect.poll(pushed).toBe(1);
      await expect.poll(applied).toBeGreaterThanOrEqual(1);
      expect(await retried()).toBe(1);
      expect(await down()).toBe(1);
    } finally {
      pbx.failWith(undefined);
    }
  });

  it('counts and times a failed Apply Config, with its kind', async () => {
    const app = file.service.app;
    const failedRuns = await counterFrom(app, `${P}pbx_apply_runs_total`, { outcome: 'failed' });
    const timedFailures = await counterFrom(app, `${P}pbx_apply_duration_seconds_count`, { outcome: 'failed' });
    const applyErrors = await counterFrom(app, `${P}pbx_call_errors_total`, { operation: 'apply', kind: 'apply_failed' });
    const succeeded = await counterFrom(app, `${P}pbx_apply_runs_total`, { outcome: 'succeeded' });
    pbx.failApplyWith(applyFails);
    try {
      expect((await register(app)).statusCode).toBe(201);
      await expect.poll(failedRuns).toBeGreaterThanOrEqual(1);
      expect(await succeeded()).toBe(0);
    } finally {
      pbx.failApplyWith(undefined);
    }
    await expect.poll(succeeded).toBeGreaterThanOrEqual(1);
    expect(await applyErrors()).toBe(await failedRuns());
    expect(await timedFailures()).toBe(await failedRuns());
  });

  it('shows jobs held by the PBX in the queue depth, with the age of the oldest', async () => {
    const app = file.service.app;
    const release = pbx.hold();
    try {
      expect((await register(app)).statusCode).toBe(201);
      await expect.poll(async () => valueOf(await scrape(app), `${P}provisioning_queue_jobs`, { state: 'running' })).toBe(1);
      await new Promise((resolve) => setTimeout(resolve, 1100)); // past the scrape's one-second reuse of the query
      expect(valueOf(await scrape(app), `${P}provisioning_queue_oldest_job_age_seconds`, { state: 'running' })).toBeGreaterThanOrEqual(1);
    } finally {
      release();
    }
    await expect.poll(async () => valueOf(await scrape(app), `${P}provisioning_queue_jobs`)).toBe(0);
  });
});

describe('rate-limit metrics', () => {
  let limited: TestService;
  beforeAll(async () => {
    limited = await createTestService({ database: file.database.handle, env: { AUTH_RATE_LIMIT_PER_MINUTE: '2' }, startWorker: false });
  });
  afterAll(async () => {
    await limited?.close();
  });

  it('counts every 429 by route pattern', async () => {
    const login = () =>
      limited.app.inject({ method: 'POST', url: '/auth/login', payload: { email: uniqueEmail(), password: GOOD_PASSWORD }, remoteAddress: '198.51.100.7' });
    const statuses = [];
    for (let attempt = 0; attempt < 4; attempt++) statuses.push((await login()).statusCode);
    expect(statuses).toEqual([401, 401, 429, 429]);
    const samples = await scrape(limited.app);
    expect(valueOf(samples, `${P}rate_limit_refusals_total`, { route: '/auth/login' })).toBe(2);
    expect(valueOf(samples, `${P}http_request_duration_seconds_count`, { route: '/auth/login', status_code: '429' })).toBe(2);
  });
});
