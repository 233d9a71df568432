import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { BODY_PROBLEMS, problemResponses, Timestamp } from '../../shared/schemas.ts';
import type { AdminAccess, AdminAudit } from '../reconcile/admin.port.ts';
import type { ImportProgress, ImportProgressReader } from './import-progress.ts';
import type { UserImports } from './imports.usecases.ts';

/** Largest CSV accepted: about 50,000 rows. */
export const IMPORT_BODY_LIMIT_BYTES = 5 * 1024 * 1024;

const RowStatus = Type.Union([Type.Literal('pending'), Type.Literal('created'), Type.Literal('invalid'), Type.Literal('failed')]);
const ProgressSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  created_at: Timestamp,
  finished_at: Type.Union([Timestamp, Type.Null()], { description: 'When every row had been handled; the extensions may still be on their way.' }),
  total: Type.Integer(),
  counts: Type.Object({ pending: Type.Integer(), created: Type.Integer(), invalid: Type.Integer(), failed: Type.Integer(), live: Type.Integer({ description: 'Created rows whose extension is live on the PBX.' }) }),
  rows: Type.Array(
    Type.Object({
      line: Type.Integer({ description: 'The line of the CSV body the row starts on.' }),
      email: Type.String(),
      status: RowStatus,
      error: Type.Union([Type.String(), Type.Null()]),
      extension: Type.Union([Type.String(), Type.Null()]),
      account_status: Type.Union([Type.String(), Type.Null()], { description: 'The SIP account: pending, active, failed…' }),
    }),
  ),
});

const progressBody = (progress: ImportProgress) => ({
  id: progress.id,
  created_at: progress.createdAt.toISOString(),
  finished_at: progress.finishedAt?.toISOString() ?? null,
  total: progress.total,
  counts: progress.counts,
  rows: progress.rows.map((row) => ({ line: row.line, email: row.email, status: row.status, error: row.error, extension: row.extension, account_status: row.accountStatus })),
});

export function registerImportRoutes(app: FastifyInstance, { imports, progress, admin, audit }: {
  imports: UserImports;
  progress: ImportProgressReader;
  admin: AdminAccess;
  audit: AdminAudit;
}): void {
  void app.register(async (scope) => {
    scope.addContentTypeParser('text/csv', { parseAs: 'string', bodyLimit: IMPORT_BODY_LIMIT_BYTES }, (_request, body, done) => done(null, body));
    const router = scope.withTypeProvider<TypeBoxTypeProvider>();
    router.post('/admin/imports', {
      bodyLimit: IMPORT_BODY_LIMIT_BYTES,
      schema: {
        tags: ['admin'],
        summary: 'Import users from CSV',
        description:
          'Body `text/csv`, RFC 4180: `email,display_name[,extension]` per line (an optional header line starting `email`). Each user is ' +
          'created without a password and mailed an invitation (a link to choose one, valid 3 days); their extension is provisioned through ' +
          'the jobs, all released together at the end so FreePBX applies them in one Apply Config. A bad row is reported with its line and ' +
          'never stops the others. Follow with GET /admin/imports/{id}.',
        security: [{ OAuth2PasswordBearer: [] }],
        consumes: ['text/csv'],
        body: Type.String({ description: 'The CSV text.' }),
        response: { 202: Type.Object({ id: Type.String({ format: 'uuid' }) }), ...problemResponses(...BODY_PROBLEMS, 401, 403, 422) },
      },
      handler: async (request, reply) => {
        const { userId } = await admin.requireAdmin(request);
        const { id } = await imports.start({ csv: request.body, createdBy: userId });
        await audit.record({ actorId: userId, action: 'users.import', target: id, address: request.ip });
        return reply.status(202).send({ id });
      },
    });
    router.get('/admin/imports/:id', {
      schema: {
        tags: ['admin'],
        summary: 'Progress and per-row results of an import',
        security: [{ OAuth2PasswordBearer: [] }],
        params: Type.Object({ id: Type.String() }),
        response: { 200: ProgressSchema, ...problemResponses(401, 403, 404) },
      },
      handler: async (request) => {
        await admin.requireAdmin(request);
        return progressBody(await progress(request.params.id));
      },
    });
  });
}
