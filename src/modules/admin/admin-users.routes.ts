import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Static } from '@sinclair/typebox';
import { BODY_PROBLEMS, problemResponses } from '../../shared/schemas.ts';
import { bearerSecurity } from '../auth/authenticate.ts';
import type { SessionUseCases } from '../auth/sessions.usecases.ts';
import type { RequireAdmin } from './admin-guard.ts';
import type { AdminRoleCache } from './admin-role-cache.ts';
import { ActionAccepted, AdminUser, AdminUserDetail, UserIdParams, UsersPage, UsersQuery } from './admin.schemas.ts';
import { userNotFoundError } from './admin.errors.ts';
import type { AdminUserActions } from './admin-users.usecases.ts';
import type { AdminUserRow, AdminUsersRepository } from './admin-users.repository.ts';
import { pageCursor, pageLimit } from './page-limit.ts';
import { decodeUserCursor, encodeUserCursor } from './user-cursor.ts';

const iso = (value: Date | string) => new Date(value).toISOString();
const isoOrNull = (value: Date | string | null) => (value === null ? null : iso(value));

function userItem(row: AdminUserRow): Static<typeof AdminUser> {
  return {
    id: row.id, email: row.email, display_name: row.display_name, created_at: iso(row.created_at), sip_extension: row.extension,
    account_status: row.status, last_error: row.last_error, disabled: !row.is_active, deleting: row.deletion_requested_at !== null,
    registered_at: isoOrNull(row.registered_at), registered_user_agent: row.registered_user_agent,
  };
}

const ACTIONS = [
  ['disable', 'Disable a user', 'Logins (403 `user_inactive`), every session, the credentials and provisioning links are refused from the answer on, on every instance; a job takes the extension off the PBX. The number stays held for the user.'],
  ['enable', 'Enable a disabled user', 'Logins work again; a disabled extension comes back on the PBX with a new SIP secret (the old one and its links stay dead).'],
  ['reprovision', 'Push the account to the PBX again', 'An update of a live account (its secret unchanged), or a new create of a pending or failed one; 409 `account_state_conflict` otherwise.'],
  ['rotate-secret', 'Rotate the user\'s SIP secret', 'As POST /sip/credentials/rotate, without waiting: the old secret stays live until the PBX has the new one.'],
] as const;

/** The admin's view of users and the actions on them. Every route: 401 without a valid token, 403 `admin_required` for a non-admin. */
export function registerAdminUserRoutes(app: FastifyInstance, { requireAdmin, roles, users, actions, sessions }: {
  requireAdmin: RequireAdmin;
  roles: Pick<AdminRoleCache, 'isAdmin'>;
  users: AdminUsersRepository;
  actions: AdminUserActions;
  sessions: Pick<SessionUseCases, 'list'>;
}): void {
  const router = app.withTypeProvider<TypeBoxTypeProvider>();
  const noStore = { onSend: async (_request: unknown, reply: { header(name: string, value: string): unknown }) => void reply.header('cache-control', 'no-store') };

  router.get('/admin/users', {
    ...noStore,
    schema: {
      tags: ['admin'], summary: 'List and search users', security: bearerSecurity, querystring: UsersQuery,
      description: 'Newest first, paged with `next_cursor` (a keyset: each page costs the same at any depth). `query` matches a prefix of the email, the display name or the extension. ' +
        '`status=active&registered=false`: the live accounts no phone has registered with yet.',
      response: { 200: UsersPage, ...problemResponses(401, 403, 422) },
    },
    handler: async (request) => {
      await requireAdmin(request);
      const limit = pageLimit(request.query.limit);
      const after = pageCursor(request.query.cursor, decodeUserCursor);
      const { query, status, registered } = request.query;
      const rows = await users.list({ query, status, registered: registered === undefined ? undefined : registered === 'true', limit: limit + 1, after });
      const items = rows.slice(0, limit);
      const last = items.at(-1);
      return { items: items.map(userItem), next_cursor: rows.length > limit && last ? encodeUserCursor({ createdAt: last.cursor_at, id: last.id }) : null };
    },
  });

  router.get('/admin/users/:id', {
    ...noStore,
    schema: {
      tags: ['admin'], summary: 'One user: account, sessions, latest jobs', security: bearerSecurity, params: UserIdParams,
      response: { 200: AdminUserDetail, ...problemResponses(401, 403, 404, 422) },
    },
    handler: async (request) => {
      await requireAdmin(request);
      const row = await users.find(request.params.id);
      if (!row) throw userNotFoundError({ detail: 'No user has this id.' });
      const [live, jobs, isAdmin] = [await sessions.list(row.id), row.sip_account_id ? await users.latestJobs(row.sip_account_id, 10) : [], await roles.isAdmin(row.id)];
      return {
        user: { ...userItem(row), email_verified: row.email_verified_at !== null, locale: row.locale, is_admin: isAdmin },
        account: row.extension && row.status
          ? {
              extension: row.extension, status: row.status, last_error: row.last_error, activated_at: isoOrNull(row.activated_at),
              registered_at: isoOrNull(row.registered_at), registered_user_agent: row.registered_user_agent,
            }
          : null,
        sessions: live.map((s) => ({
          id: s.id, created_at: iso(s.createdAt), last_used_at: iso(s.lastUsedAt), expires_at: iso(s.expiresAt), ip_address: s.ipAddress, user_agent: s.userAgent,
        })),
        jobs: jobs.map((job) => ({ ...job, attempts: Number(job.attempts), created_at: iso(job.created_at), updated_at: iso(job.updated_at) })),
      };
    },
  });

  const run = { disable: actions.disable, enable: actions.enable, reprovision: actions.reprovision, 'rotate-secret': actions.rotateSecret };
  for (const [name, summary, description] of ACTIONS) {
    router.post(`/admin/users/:id/${name}`, {
      ...noStore,
      schema: {
        tags: ['admin'], summary, description, security: bearerSecurity, params: UserIdParams,
        response: { 202: ActionAccepted, ...problemResponses(...BODY_PROBLEMS, 401, 403, 404, 409, 422) },
      },
      handler: async (request, reply) => reply.status(202).send(await run[name](await requireAdmin.actor(request), request.params.id)),
    });
  }

  router.delete('/admin/users/:id', {
    ...noStore,
    schema: {
      tags: ['admin'], summary: 'Delete a user', security: bearerSecurity, params: UserIdParams,
      description: 'The same removal as DELETE /auth/me, without the password: refused everywhere at once, the extension off the PBX, then the data erased.',
      response: { 202: ActionAccepted, ...problemResponses(401, 403, 404, 409, 422) },
    },
    handler: async (request, reply) => reply.status(202).send(await actions.remove(await requireAdmin.actor(request), request.params.id)),
  });
}
