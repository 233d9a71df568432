import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { queryRows } from '../../src/db/database.ts';
import { createAdminRolesRepository } from '../../src/modules/admin/admin-roles.repository.ts';
import { registerAndLogin, uniqueEmail, type TestService } from './test-service.ts';

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** A signed-up, logged-in user made an admin by a grant (as the CLI's `admin grant EMAIL` does). */
export async function grantedAdmin(service: TestService, email = uniqueEmail('admin')) {
  const user = await registerAndLogin(service.app, { email });
  await createAdminRolesRepository({ db: service.deps.database.db }).grantAdmin(email);
  return { ...user, id: user.register.json<{ id: string }>().id };
}

/** Marks the user's email verified, as POST /auth/verify-email would. */
export async function markVerified(service: TestService, email: string): Promise<void> {
  await service.deps.database.db.execute(sql`update users set email_verified_at = now() where lower(email) = ${email.toLowerCase()}`);
}

export async function adminRequest(app: FastifyInstance, token: string, method: 'GET' | 'POST' | 'DELETE', url: string) {
  return app.inject({ method, url, headers: { ...bearer(token), 'user-agent': 'admin-test/1.0' } });
}

export const rowsOf = <T>(service: TestService, query: ReturnType<typeof sql>) => queryRows<T>(service.deps.database.db, query);

/**
 * Records a phone's first registration with the user's SIP account as the registration watch does (drivers
 * that cannot tell who registered, as the none and scripted ones, never set it); `at` defaults to now.
 */
export async function recordRegistration(service: TestService, email: string, registration: { at?: string; userAgent: string }): Promise<void> {
  const rows = await rowsOf<{ id: string }>(service, sql`
    update sip_accounts set registered_at = coalesce(${registration.at ?? null}::timestamptz, now()), registered_user_agent = ${registration.userAgent}
    where user_id = (select id from users where lower(email) = ${email.toLowerCase()}) returning id`);
  if (rows.length !== 1) throw new Error(`no SIP account for ${email}`);
}
