import type { FastifyRequest } from 'fastify';

/**
 * What the operator routes (reconcile, imports) need of the admin module, which they do not import: the
 * admin guard and the audit log. Implemented by src/modules/admin and wired in src/dependencies.operator.ts.
 */
export interface AdminAccess {
  /** The admin making `request`; throws 401 without a valid bearer token and 403 `admin_required` for anyone else. */
  requireAdmin(request: FastifyRequest): Promise<{ userId: string }>;
}

export interface AdminAudit {
  /** Writes one line of the audit log: who (`actorId`, null for the CLI) did what, to what, from where. */
  record(entry: { actorId: string | null; action: string; target?: string; detail?: Record<string, unknown>; address?: string }): Promise<void>;
}
