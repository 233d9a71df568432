import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import pino from 'pino';
import { createFreepbxDriver, type FreepbxDriverOptions } from '../../src/modules/pbx/freepbx/freepbx-driver.ts';
import { startSimulator, type FreepbxSimulator } from '../../tools/freepbx-sim/testing.ts';
import { createTestService, GOOD_PASSWORD, uniqueEmail, type registerAndLogin, type TestService } from '../support/test-service.ts';
import type { DatabaseHandle } from '../../src/db/database.ts';

/** The short reload of the service tests' shared simulator (`startSimulator` in tools/freepbx-sim/testing.ts). */
export const SERVICE_RELOAD_DELAY_MS = 150;

/**
 * One database and one simulator (reset before each test) for a whole test file. Each test runs its own
 * service alone and stops it before it ends: every running worker on the database takes any job.
 */
export function freepbxForThisFile(): { database: TestDatabase; sim: FreepbxSimulator } {
  const file = {} as { database: TestDatabase; sim: FreepbxSimulator };
  beforeAll(async () => {
    [file.database, file.sim] = await Promise.all([createTestDatabase(), startSimulator({ reloadDelayMs: SERVICE_RELOAD_DELAY_MS })]);
  });
  beforeEach(() => file.sim.reset());
  afterAll(async () => {
    await file.sim?.stop();
    await file.database?.close();
  });
  return file;
}

/**
 * The real service (composition root, HTTP app, worker) with the real FreePBX driver pointed at `sim`:
 * fast status polling and short timeouts, so faults play out in a test's time.
 */
export async function startFreepbxService({ database, sim, env = {}, driver = {} }: {
  database: DatabaseHandle;
  sim: FreepbxSimulator;
  env?: Record<string, string>;
  driver?: Partial<FreepbxDriverOptions>;
}): Promise<TestService> {
  const client = sim.clients[0]!;
  return createTestService({
    database,
    env: { PROVISION_WAIT_MS: '3000', ...env },
    overrides: {
      driver: createFreepbxDriver({
        baseUrl: sim.url,
        clientId: client.clientId,
        clientSecret: client.clientSecret,
        requestTimeoutMs: 2000,
        applyTimeoutMs: 3000,
        applyPollIntervalMs: 20,
        logger: pino({ level: 'silent' }),
        ...driver,
      }),
    },
  });
}

export type Registered = Awaited<ReturnType<typeof registerAndLogin>>;

export const credentials = (svc: TestService, token: string) =>
  svc.app.inject({ method: 'GET', url: '/sip/credentials', headers: { authorization: `Bearer ${token}` } });

export const me = async (svc: TestService, token: string) =>
  (await svc.app.inject({ method: 'GET', url: '/auth/me', headers: { authorization: `Bearer ${token}` } })).json();

/**
 * Registers `count` users at once (each registration waits for the PBX as the service is configured to),
 * then logs each in. `afterRegistered` runs between the two, when every registration has answered.
 */
export async function registerMany(svc: TestService, count: number, prefix = 'fpbx', afterRegistered?: () => void): Promise<Registered[]> {
  const password = GOOD_PASSWORD;
  const registered = await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const email = uniqueEmail(prefix);
      const register = await svc.app.inject({ method: 'POST', url: '/auth/register', payload: { email, password, display_name: `${prefix} ${i}` } });
      return { email, password, register };
    }),
  );
  afterRegistered?.();
  return Promise.all(
    registered.map(async (user) => {
      const login = await svc.app.inject({ method: 'POST', url: '/auth/login', payload: { email: user.email, password } });
      const tokens = login.json<{ access_token: string; refresh_token: string }>();
      return { ...user, token: tokens.access_token, refreshToken: tokens.refresh_token };
    }),
  );
}

/** Waits until every user's GET /sip/credentials answers 200, and returns those credentials. */
export async function waitUntilAllLive(svc: TestService, users: Registered[], timeout = 10_000) {
  const live = new Map<string, { username: string; password: string }>();
  await expect
    .poll(
      async () => {
        for (const user of users) {
          if (live.has(user.token)) continue;
          const response = await credentials(svc, user.token);
          if (response.statusCode === 200) live.set(user.token, response.json());
        }
        return live.size;
      },
      { timeout, interval: 50 },
    )
    .toBe(users.length);
  return users.map((user) => live.get(user.token)!);
}

/**
 * The PBX holds exactly these users' extensions, each live with the very secret the API hands out, and
 * no number twice: nothing lost, nothing orphaned, nothing duplicated.
 */
export function expectLiveOnPbx(sim: FreepbxSimulator, creds: { username: string; password: string }[]) {
  const numbers = creds.map((c) => c.username);
  expect(new Set(numbers).size).toBe(numbers.length);
  const ours = sim.state.extensions().filter((extension) => extension.owner === 'api');
  expect(ours.map((extension) => extension.extensionId).sort()).toEqual([...numbers].sort());
  for (const c of creds) expect(sim.state.liveSecret(c.username), `live secret of ${c.username}`).toBe(c.password);
}
