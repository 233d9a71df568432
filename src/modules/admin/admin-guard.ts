import type { FastifyRequest } from 'fastify';
import type { Authenticate } from '../auth/authenticate.ts';
import { adminRequiredError } from './admin.errors.ts';
import type { AdminRoleCache } from './admin-role-cache.ts';

/** Who acts in an admin request, and from where (for the audit log). */
export interface AdminActor {
  /** The admin's user id; null for the command line (an operator at the machine). */
  userId: string | null;
  address: string;
  userAgent: string | null;
}

/**
 * The guard of every /admin route: `requireAdmin(request)` answers the admin's user id, or throws 401
 * `not_authenticated` (no valid bearer token, as every bearer route) or 403 `admin_required` (not an admin
 * now: the role is read on each request, through the role cache). `requireAdmin.actor(request)` adds the
 * client address and user agent for the audit log.
 */
export function createRequireAdmin({ authenticate, roles }: { authenticate: Authenticate; roles: Pick<AdminRoleCache, 'isAdmin'> }) {
  const requireAdmin = async (request: FastifyRequest): Promise<string> => {
    const userId = await authenticate(request);
    if (!(await roles.isAdmin(userId))) throw adminRequiredError({ detail: 'This route is for admins only.' });
    return userId;
  };
  const actor = async (request: FastifyRequest): Promise<AdminActor> => ({
    userId: await requireAdmin(request),
    address: request.ip,
    userAgent: request.headers['user-agent']?.slice(0, 512) ?? null,
  });
  return Object.assign(requireAdmin, { actor });
}

export type RequireAdmin = ReturnType<typeof createRequireAdmin>;
