import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { problemResponses } from '../../shared/schemas.ts';
import { bearerSecurity } from '../auth/authenticate.ts';
import type { RequireAdmin } from './admin-guard.ts';
import { AdminStats, AuditPage, PageQuery } from './admin.schemas.ts';
import type { createAdminStats } from './admin-stats.ts';
import type { AuditLogRepository } from './audit-log.repository.ts';
import { pageCursor, pageLimit } from './page-limit.ts';

const decodeAuditCursor = (cursor: string): number | undefined => {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  return /^[1-9]\d{0,15}$/.test(text) ? Number(text) : undefined;
};

/** GET /admin/audit-log and GET /admin/stats. */
export function registerAdminLogRoutes(app: FastifyInstance, { requireAdmin, auditLog, readStats }: {
  requireAdmin: RequireAdmin;
  auditLog: Pick<AuditLogRepository, 'page'>;
  readStats: ReturnType<typeof createAdminStats>;
}): void {
  const router = app.withTypeProvider<TypeBoxTypeProvider>();

  router.get('/admin/audit-log', {
    schema: {
      tags: ['admin'], summary: 'Who did what to whom, when, from where', security: bearerSecurity, querystring: PageQuery,
      description: 'Every admin action, newest first, paged with `next_cursor`.',
      response: { 200: AuditPage, ...problemResponses(401, 403, 422) },
    },
    handler: async (request, reply) => {
      await requireAdmin(request);
      const limit = pageLimit(request.query.limit);
      const rows = await auditLog.page(limit + 1, pageCursor(request.query.cursor, decodeAuditCursor));
      const items = rows.slice(0, limit);
      const last = items.at(-1);
      reply.header('cache-control', 'no-store');
      return {
        items: items.map((row) => ({
          id: row.id, at: row.at.toISOString(), actor_user_id: row.actorUserId, actor_email: row.actorEmail, action: row.action,
          target_user_id: row.targetUserId, target_email: row.targetEmail, address: row.address, user_agent: row.userAgent, detail: row.detail,
        })),
        next_cursor: rows.length > limit && last ? Buffer.from(String(last.id)).toString('base64url') : null,
      };
    },
  });

  router.get('/admin/stats', {
    schema: {
      tags: ['admin'], summary: 'Counts, sign-ups per day, the queue, the last Apply Config', security: bearerSecurity,
      response: { 200: AdminStats, ...problemResponses(401, 403) },
    },
    handler: async (request, reply) => {
      await requireAdmin(request);
      reply.header('cache-control', 'no-store');
      return readStats();
    },
  });
}
