import { AppError } from '../../src/shared/errors.ts';
import type { AdminAccess, AdminAudit } from '../../src/modules/reconcile/admin.port.ts';
import type { Authenticate } from '../../src/modules/auth/authenticate.ts';

/**
 * Stands in for the admin module's guard and audit log in the operator routes' tests: the real bearer check,
 * then admits the user ids in `admins` (403 `admin_required` for anyone else); the audit lines are kept.
 * `authenticate` is read when a request comes, so the guard can be handed to the service it belongs to.
 */
export function testAdmin(authenticate: () => Authenticate) {
  const admins = new Set<string>();
  const audited: Parameters<AdminAudit['record']>[0][] = [];
  const access: AdminAccess = {
    async requireAdmin(request) {
      const userId = await authenticate()(request);
      if (!admins.has(userId)) throw new AppError({ status: 403, code: 'admin_required', title: 'Administrator access required' });
      return { userId };
    },
  };
  const audit: AdminAudit = { record: async (entry) => void audited.push(entry) };
  return { admins, audited, overrides: { access, audit } };
}
