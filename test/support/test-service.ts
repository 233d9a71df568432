import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll } from 'vitest';
import { createTestDatabase, type TestDatabase } from './test-database.ts';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.ts';
import { buildDependencies, type Dependencies, type DependencyOverrides } from '../../src/dependencies.ts';
import { loadConfig } from '../../src/config/load-config.ts';
import { resolveGeneratedSecrets } from '../../src/config/generated-secrets.ts';
import { createLogger } from '../../src/shared/logger.ts';
import type { DatabaseHandle } from '../../src/db/database.ts';

export const TEST_JWT_SECRET = 'test-jwt-secret-key-that-is-long-enough-0123456789';
export const TEST_ENCRYPTION_KEY = 'ab'.repeat(32);

/** Every log line the service wrote, as text, for tests that prove what must never be logged. */
export class CapturedLogs extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _encoding: string, callback: () => void): void {
    this.lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    callback();
  }
  get text(): string {
    return this.lines.join('\n');
  }
}

export interface TestService {
  app: FastifyInstance;
  deps: Dependencies;
  logs: CapturedLogs;
  close(): Promise<void>;
}

/**
 * The real service (same composition root and app as main.ts) on a test database, with a real worker.
 * The database is shared by the test file; tests keep apart by their own data.
 */
export async function createTestService({ database, env = {}, overrides = {}, startWorker = true }: {
  database: DatabaseHandle;
  env?: Record<string, string>;
  overrides?: Omit<DependencyOverrides, 'database'>;
  startWorker?: boolean;
}): Promise<TestService> {
  // Each service its own DATA_DIR (removed on close): mails land in its outbox/ unless SMTP_URL is set.
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vt-service-'));
  const config = loadConfig({
    DATA_DIR: dataDir,
    JWT_SECRET_KEY: TEST_JWT_SECRET,
    CREDENTIALS_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
    LOG_LEVEL: 'info',
    AUTH_RATE_LIMIT_PER_MINUTE: '100000',
    PROVISION_WAIT_MS: '3000',
    SIP_DOMAIN: 'sip.test.local',
    ...env,
  });
  const logs = new CapturedLogs();
  const logger = createLogger({ level: config.logLevel, destination: logs });
  const deps = await buildDependencies({
    config: resolveGeneratedSecrets({ config, logger }),
    logger,
    overrides: {
      workerOptions: { pollIntervalMs: 50, backoff: { baseMs: 20, maxMs: 200 } },
      // Polling stays at its default (1 s): queuing kicks the worker, and idle polls would only add load.
      mailWorkerOptions: { backoff: { baseMs: 20, maxMs: 200 } },
      ...overrides,
      database,
    },
  });
  const app = await buildApp(deps);
  await app.ready();
  if (startWorker) {
    deps.worker.start();
    deps.mail.start();
  }
  return {
    app,
    deps,
    logs,
    async close() {
      await app.close();
      await deps.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

let counter = 0;
/** A unique email per call, so tests sharing one database never collide. */
export function uniqueEmail(prefix = 'user'): string {
  counter += 1;
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${counter}@example.com`;
}

export const GOOD_PASSWORD = 'a long and unusual passphrase 42';

export async function registerAndLogin(app: FastifyInstance, { email = uniqueEmail(), password = GOOD_PASSWORD, displayName }: {
  email?: string;
  password?: string;
  displayName?: string;
} = {}) {
  const register = await app.inject({
    method: 'POST',
    url: '/auth/register',
    payload: { email, password, ...(displayName ? { display_name: displayName } : {}) },
  });
  const login = await app.inject({ method: 'POST', url: '/auth/login', payload: { email, password } });
  const tokens = login.json<{ access_token: string; refresh_token: string }>();
  return { email, password, register, token: tokens.access_token, refreshToken: tokens.refresh_token };
}

/**
 * One database and one running service for a whole test file: opened before its first test, closed after
 * its last. Tests keep apart by their own data (uniqueEmail).
 */
export function serviceForThisFile(options: Omit<Parameters<typeof createTestService>[0], 'database'> = {}): {
  database: TestDatabase;
  service: TestService;
} {
  const file = {} as { database: TestDatabase; service: TestService };
  beforeAll(async () => {
    file.database = await createTestDatabase();
    file.service = await createTestService({ ...options, database: file.database.handle });
  });
  afterAll(async () => {
    await file.service?.close();
    await file.database?.close();
  });
  return file;
}
