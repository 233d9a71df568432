import { describe, expect, it } from 'vitest';
import { GOOD_PASSWORD, registerAndLogin, serviceForThisFile, uniqueEmail } from './support/test-service.ts';

const file = serviceForThisFile({ env: { PROVISIONING_RATE_LIMIT_PER_MINUTE: '100000', BODY_LIMIT_BYTES: '4096' } });

type Operation = { responses: Record<string, { content?: Record<string, unknown> }>; security?: unknown[]; requestBody?: unknown };
type Answer = { statusCode: number; headers: Record<string, unknown> };
type Probe = { what: string; method: string; url: string; headers?: Record<string, string>; payload?: string };

/** Fills a path's parameters: with values that exist (`good`), or with ones that do not. */
function fill(path: string, values: Record<string, string>): string {
  return path.replace(/\{(\w+)\}/g, (_match, name: string) => values[name] ?? 'x');
}

const JSON_TYPE = { 'content-type': 'application/json' };
const ENDS_SESSION = new Set(['/auth/logout', '/auth/logout-all', '/auth/change-password', '/auth/sessions/{id}']);
const sessionIdOf = (token: string): string => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).sid;

/** Every bad input a client or a fuzzer may send an operation, and one good request. */
function probes(method: string, path: string, operation: Operation, good: Record<string, string>, bearer: string): Probe[] {
  const auth = { authorization: `Bearer ${bearer}` };
  const url = fill(path, good);
  const list: Probe[] = [
    { what: 'a good request', method, url, headers: { ...auth, ...(good[path] ? JSON_TYPE : {}) }, ...(good[path] ? { payload: good[path] } : {}) },
    { what: 'no token', method, url },
    { what: 'a bad token', method, url, headers: { authorization: 'Bearer not.a.token' } },
    { what: 'unknown path values', method, url: fill(path, {}), headers: auth },
    { what: 'a Linphone fetch', method, url, headers: { ...auth, 'x-linphone-provisioning': '1' } },
  ];
  if (method === 'POST') {
    list.push(
      { what: 'malformed JSON', method, url, headers: { ...auth, ...JSON_TYPE }, payload: '{"email": ' },
      { what: 'an empty JSON body', method, url, headers: { ...auth, ...JSON_TYPE }, payload: '' },
      { what: 'text/plain', method, url, headers: { ...auth, 'content-type': 'text/plain' }, payload: 'hello' },
      { what: 'a body over the limit', method, url, headers: { ...auth, ...JSON_TYPE }, payload: JSON.stringify({ email: 'a@example.com', password: 'x'.repeat(5000) }) },
      { what: 'booleans for strings', method, url, headers: { ...auth, ...JSON_TYPE }, payload: JSON.stringify({ email: false, password: false, display_name: false }) },
      { what: 'a form with a NUL byte', method, url, headers: { ...auth, 'content-type': 'application/x-www-form-urlencoded' }, payload: 'username=a%00b&password=x' },
    );
  }
  return list;
}

const mediaType = (answer: Answer) => String(answer.headers['content-type'] ?? '').split(';')[0]!.trim();

describe('the OpenAPI document', () => {
  it('declares every status and content type each route really answers, for good requests and bad inputs alike', async () => {
    const { app } = file.service;
    const { token: bearer, email } = await registerAndLogin(app);
    const newLinkToken = async () =>
      (await app.inject({ method: 'POST', url: '/sip/provisioning-links', headers: { authorization: `Bearer ${bearer}` } })).json<{ url: string }>().url.split('/').pop()!;
    const good: Record<string, string> = {
      token: '',
      format: 'sip-uri',
      image: 'qr.svg',
      // The good bodies of the routes that take one.
      '/auth/login': JSON.stringify({ email, password: GOOD_PASSWORD }),
      '/auth/register': JSON.stringify({ email: uniqueEmail('conformance'), password: GOOD_PASSWORD }),
    };
    const document = (await app.inject('/openapi.json')).json<{ paths: Record<string, Record<string, Operation>> }>();

    const mismatches: string[] = [];
    let checked = 0;
    for (const [path, operations] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        // A link of its own per route: a rotation or a Linphone fetch before would have ended the last one.
        if (path.includes('{token}')) good.token = await newLinkToken();
        // Routes that end the bearer's session get a user and a session of their own.
        let pathBearer = bearer;
        if (ENDS_SESSION.has(path)) {
          const own = await registerAndLogin(app);
          pathBearer = own.token;
          good.id = sessionIdOf(own.token);
          good['/auth/change-password'] = JSON.stringify({ current_password: GOOD_PASSWORD, new_password: 'another unusual passphrase 43' });
        }
        if (path === '/auth/refresh') good[path] = JSON.stringify({ refresh_token: (await app.inject({ method: 'POST', url: '/auth/login', payload: { email, password: GOOD_PASSWORD } })).json().refresh_token });
        for (const probe of probes(method.toUpperCase(), path, operation, good, pathBearer)) {
          const answer = await app.inject({ method: probe.method as 'GET', url: probe.url, headers: probe.headers, ...(probe.payload !== undefined ? { payload: probe.payload } : {}) });
          checked += 1;
          const declared = operation.responses[String(answer.statusCode)];
          const where = `${method.toUpperCase()} ${path} with ${probe.what}: ${answer.statusCode} ${mediaType(answer)}`;
          if (answer.statusCode >= 500) mismatches.push(`${where} (a server error)`);
          else if (!declared) mismatches.push(`${where} (status not declared)`);
          else if (answer.statusCode === 204 && !declared.content && !answer.headers['content-type']) continue;
          else if (!declared.content || !(mediaType(answer) in declared.content)) mismatches.push(`${where} (declared: ${Object.keys(declared.content ?? {}).join(', ') || 'no content'})`);
        }
      }
    }
    expect(checked).toBeGreaterThan(80);
    expect(mismatches).toEqual([]);
  });

  it('declares every error as application/problem+json, and a 200 for every route', async () => {
    const document = (await file.service.app.inject('/openapi.json')).json<{ paths: Record<string, Record<string, Operation>> }>();
    for (const [path, operations] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        const statuses = Object.keys(operation.responses);
        expect(statuses.some((status) => status.startsWith('2')), `${method} ${path}`).toBe(true);
        for (const status of statuses.filter((s) => Number(s) >= 400 && path !== '/readyz')) {
          // The pages a person opens from a mailed link answer their errors as a page too (text/html); apps get the problem.
          const types = Object.keys(operation.responses[status]!.content ?? {}).filter((type) => type !== 'text/html');
          expect(types, `${method} ${path} ${status}`).toEqual(['application/problem+json']);
        }
      }
    }
  });
});

describe('request bodies', () => {
  it('are not coerced: display_name false is a 422, not the text "false"', async () => {
    const response = await file.service.app.inject({
      method: 'POST',
      url: '/auth/register',
      payload: { email: 'coerced@example.com', password: 'a long and unusual passphrase 42', display_name: false },
    });
    expect(response.statusCode).toBe(422);
    expect(response.json().errors).toEqual([{ field: 'display_name', message: 'must be string' }]);
    const login = await file.service.app.inject({ method: 'POST', url: '/auth/login', payload: { email: 'coerced@example.com', password: 12345678 } });
    expect(login.statusCode).toBe(422);
  });
});
