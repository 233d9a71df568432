import type { SipCredentials } from '../../../src/modules/sip-accounts/sip-credentials.ts';
import { createTestDatabase } from '../../support/test-database.ts';
import { createTestService, GOOD_PASSWORD, uniqueEmail, type TestService } from '../../support/test-service.ts';
import { freeUdpAndTcpPort } from './ports.ts';

/**
 * The real service for end-to-end suites: configuration built by `loadConfig` from `env` (so PBX_DRIVER and
 * its variables pick and build the driver exactly as in production), its own test database (PGlite, or a
 * fresh PostgreSQL database when DATABASE_URL is set), a running worker, and a real HTTP server on
 * 127.0.0.1 with an OS-chosen port. Every API call of the suites goes through `fetch`.
 */
export interface ListeningService {
  baseUrl: string;
  service: TestService;
  close(): Promise<void>;
}

export async function startListeningService(env: Record<string, string>): Promise<ListeningService> {
  // Links and QR codes must carry the address the service really listens on: the port is chosen first.
  const port = await freeUdpAndTcpPort();
  const database = await createTestDatabase();
  let service: TestService;
  try {
    service = await createTestService({ database: database.handle, env: { PUBLIC_BASE_URL: `http://127.0.0.1:${port}`, ...env } });
  } catch (error) {
    await database.close();
    throw error;
  }
  try {
    await service.app.listen({ host: '127.0.0.1', port });
  } catch (error) {
    await service.close();
    await database.close();
    throw error;
  }
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    service,
    async close() {
      try {
        await service.close();
      } finally {
        await database.close();
      }
    },
  };
}

export interface ApiResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

async function call<T>(baseUrl: string, path: string, init: { method?: string; json?: unknown; token?: string } = {}): Promise<ApiResponse<T>> {
  const response = await fetch(`${baseUrl}${path}`, {
    method: init.method ?? (init.json === undefined ? 'GET' : 'POST'),
    headers: {
      ...(init.json === undefined ? {} : { 'content-type': 'application/json' }),
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
    },
    body: init.json === undefined ? undefined : JSON.stringify(init.json),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: (text ? JSON.parse(text) : undefined) as T };
}

export interface RegisteredUser {
  email: string;
  password: string;
  /** The answer to POST /auth/register. */
  registration: ApiResponse<{ sip_extension: string; provisioning_status: 'active' | 'pending' | 'failed' | 'awaiting_verification' }>;
  token: string;
}

/** POST /auth/register, then POST /auth/login: a new user with a bearer token, as a client app would do it. */
export async function signUpOverHttp(baseUrl: string, args: { email?: string; displayName?: string } = {}): Promise<RegisteredUser> {
  const email = args.email ?? uniqueEmail('e2e');
  const password = GOOD_PASSWORD;
  const registration = await call<RegisteredUser['registration']['body']>(baseUrl, '/auth/register', {
    json: { email, password, ...(args.displayName ? { display_name: args.displayName } : {}) },
  });
  if (registration.status !== 201) throw new Error(`POST /auth/register answered ${registration.status}: ${JSON.stringify(registration.body)}`);
  const login = await call<{ access_token: string }>(baseUrl, '/auth/login', { json: { email, password } });
  if (login.status !== 200) throw new Error(`POST /auth/login answered ${login.status}: ${JSON.stringify(login.body)}`);
  return { email, password, registration, token: login.body.access_token };
}

/** GET /sip/credentials with the user's bearer token (200 with the credentials, or a problem+json). */
export function fetchSipCredentials(baseUrl: string, token: string): Promise<ApiResponse<SipCredentials & { code?: string }>> {
  return call(baseUrl, '/sip/credentials', { token });
}
