import { describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { queryRows } from '../src/db/database.ts';
import { createTestService, GOOD_PASSWORD, serviceForThisFile, uniqueEmail } from './support/test-service.ts';

const file = serviceForThisFile();

const register = (payload: unknown, contentType = 'application/json') =>
  file.service.app.inject({ method: 'POST', url: '/auth/register', payload: payload as object, headers: { 'content-type': contentType } });

describe('POST /auth/register', () => {
  it('creates the user and a live extension, answering the original contract plus provisioning_status', async () => {
    const email = uniqueEmail('alice');
    const response = await register({ email, password: GOOD_PASSWORD, display_name: 'Alice Example' });
    expect(response.statusCode).toBe(201);
    const body = response.json();
    expect(Object.keys(body).sort()).toEqual(['created_at', 'email', 'id', 'is_active', 'provisioning_status', 'sip_extension']);
    expect(body).toMatchObject({ email, is_active: true, provisioning_status: 'active' });
    expect(body.sip_extension).toMatch(/^1\d{3}$/);
    expect(Number.isNaN(Date.parse(body.created_at))).toBe(false);
  });

  it('refuses the same email again, whatever its case, with 409 email_already_registered', async () => {
    const email = uniqueEmail('bob');
    expect((await register({ email, password: GOOD_PASSWORD })).statusCode).toBe(201);
    const again = await register({ email: email.toUpperCase(), password: GOOD_PASSWORD });
    expect(again.statusCode).toBe(409);
    expect(again.headers['content-type']).toContain('application/problem+json');
    expect(again.json()).toMatchObject({ status: 409, code: 'email_already_registered' });
  });

  it.each([
    ['a missing password', { email: 'x@example.com' }, 'password'],
    ['a malformed email', { email: 'not-an-email', password: GOOD_PASSWORD }, 'email'],
    ['a password under 8 characters', { email: 'x@example.com', password: 'short12' }, 'password'],
    ['a password over 256 characters', { email: 'x@example.com', password: 'x'.repeat(257) }, 'password'],
    ['an unknown field', { email: 'x@example.com', password: GOOD_PASSWORD, is_admin: true }, 'is_admin'],
    ['a display name with control characters', { email: 'x@example.com', password: GOOD_PASSWORD, display_name: 'a\nb' }, 'display_name'],
    ['a display name with U+FFFE', { email: 'x@example.com', password: GOOD_PASSWORD, display_name: 'Eve\uFFFE' }, 'display_name'],
    ['a display name with U+FFFF', { email: 'x@example.com', password: GOOD_PASSWORD, display_name: '\uFFFFEve' }, 'display_name'],
    ['a display name with a lone high surrogate', { email: 'x@example.com', password: GOOD_PASSWORD, display_name: 'Eve \uD83D' }, 'display_name'],
    ['a display name with a lone low surrogate', { email: 'x@example.com', password: GOOD_PASSWORD, display_name: '\uDE00 Eve' }, 'display_name'],
  ])('answers 422 validation_failed naming the field for %s', async (_case, payload, field) => {
    const response = await register(payload);
    expect(response.statusCode).toBe(422);
    const body = response.json();
    expect(body.code).toBe('validation_failed');
    expect(body.errors.map((e: { field: string }) => e.field)).toContain(field);
  });

  it('accepts a display name with accents, CJK and an emoji (a surrogate pair)', async () => {
    const response = await register({ email: uniqueEmail(), password: GOOD_PASSWORD, display_name: 'Zoë 東京 😀' });
    expect(response.statusCode).toBe(201);
  });

  it('accepts a 128-character passphrase with no composition rules', async () => {
    const response = await register({ email: uniqueEmail(), password: 'long passphrase '.repeat(8) });
    expect(response.statusCode).toBe(201);
  });

  it('refuses a commonly used password with 422 password_too_common', async () => {
    const response = await register({ email: uniqueEmail(), password: 'Password123' });
    expect(response.statusCode).toBe(422);
    expect(response.json()).toMatchObject({ code: 'password_too_common', errors: [{ field: 'password' }] });
  });

  it('answers a malformed JSON body with a 400 problem, not a stack trace', async () => {
    const response = await register('{"email": ', 'application/json');
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: 'malformed_body' });
    expect(response.body).not.toMatch(/at .*\.js:\d+/);
  });

  it('gives 200 concurrent registrations 200 distinct extensions and no server error', async () => {
    const emails = Array.from({ length: 200 }, () => uniqueEmail('burst'));
    const responses = await Promise.all(emails.map((email) => register({ email, password: GOOD_PASSWORD })));
    expect(responses.map((r) => r.statusCode).filter((s) => s !== 201)).toEqual([]);
    const extensions = new Set(responses.map((r) => r.json().sip_extension));
    expect(extensions.size).toBe(200);
  });

  it('lets exactly one of 20 simultaneous registrations of one email succeed', async () => {
    const email = uniqueEmail('race');
    const responses = await Promise.all(Array.from({ length: 20 }, () => register({ email, password: GOOD_PASSWORD })));
    const statuses = responses.map((r) => r.statusCode).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(19);
    const rows = await queryRows<{ n: number }>(file.database.handle.db, sql`select count(*)::int as n from users where lower(email) = ${email.toLowerCase()}`);
    expect(rows[0]!.n).toBe(1);
  });
});

describe('POST /auth/register when the extension range is used up', () => {
  it('answers 503 extension_range_exhausted and keeps no half-made user', async () => {
    const narrow = await createTestService({ database: file.database.handle, env: { EXTENSION_RANGE: '90000-90001' } });
    try {
      const inject = (email: string) => narrow.app.inject({ method: 'POST', url: '/auth/register', payload: { email, password: GOOD_PASSWORD } });
      expect((await inject(uniqueEmail())).statusCode).toBe(201);
      expect((await inject(uniqueEmail())).statusCode).toBe(201);
      const refusedEmail = uniqueEmail('refused');
      const refused = await inject(refusedEmail);
      expect(refused.statusCode).toBe(503);
      expect(refused.json()).toMatchObject({ code: 'extension_range_exhausted' });
      const login = await narrow.app.inject({ method: 'POST', url: '/auth/login', payload: { email: refusedEmail, password: GOOD_PASSWORD } });
      expect(login.statusCode).toBe(401);
    } finally {
      await narrow.close();
    }
  });
});
