import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { BODY_PROBLEMS, problemResponses } from '../../shared/schemas.ts';
import type { AdminAccess, AdminAudit } from './admin.port.ts';
import type { Reconcile, ReconcileReport } from './reconcile.usecases.ts';

const Numbered = Type.Object({ extension: Type.String({ examples: ['1000'] }) });
const Owned = Type.Object({ extension: Type.String({ examples: ['1000'] }), user_id: Type.String({ format: 'uuid' }) });

const ReportSchema = Type.Object({
  driver: Type.String({ examples: ['freepbx'] }),
  range: Type.Object({ first: Type.Integer(), last: Type.Integer() }),
  pbx_accounts: Type.Integer({ description: 'Accounts the PBX holds in EXTENSION_RANGE.' }),
  accounts: Type.Integer({ description: 'Accounts this service holds in EXTENSION_RANGE.' }),
  missing_on_pbx: Type.Array(Owned, { description: 'Ours, absent from the PBX.' }),
  secret_drift: Type.Array(Owned, { description: 'Ours, on the PBX with another secret than ours.' }),
  orphans_on_pbx: Type.Array(Numbered, { description: 'Made by this service (its marker, or its own record of the push) with no account here.' }),
  foreign: Type.Array(Numbered, { description: "Someone else's extension in our range: reserved here (never handed out), never touched." }),
  in_flight: Type.Array(Numbered, { description: 'A provisioning job is still working on the number: left to it.' }),
  fixed: Type.Boolean({ description: 'Whether jobs were queued to mend missing, drifted and orphaned accounts.' }),
  jobs_queued: Type.Integer({ description: 'Jobs queued by `fix`; on FreePBX they go live together, after one Apply Config.' }),
});

export const reportBody = (report: ReconcileReport) => ({
  driver: report.driver,
  range: report.range,
  pbx_accounts: report.pbxAccounts,
  accounts: report.accounts,
  missing_on_pbx: report.missingOnPbx.map((item) => ({ extension: item.extension, user_id: item.userId })),
  secret_drift: report.secretDrift.map((item) => ({ extension: item.extension, user_id: item.userId })),
  orphans_on_pbx: report.orphansOnPbx,
  foreign: report.foreign,
  in_flight: report.inFlight,
  fixed: report.fixed,
  jobs_queued: report.jobsQueued,
});

export function registerReconcileRoutes(app: FastifyInstance, { reconcile, admin, audit }: { reconcile: Reconcile; admin: AdminAccess; audit: AdminAudit }): void {
  app.withTypeProvider<TypeBoxTypeProvider>().post('/admin/reconcile', {
    schema: {
      tags: ['admin'],
      summary: 'Compare the PBX with this database (and mend it)',
      description:
        'Reads the PBX (every account in EXTENSION_RANGE) and compares it with the accounts held here. Someone else\'s extensions ' +
        '(`foreign`) are reserved so they are never handed out, and never touched. With `fix: true`, missing and drifted accounts are ' +
        'pushed again and orphans removed, through provisioning jobs (applied together by one Apply Config on FreePBX); the answer ' +
        'does not wait for them. 409 `reconcile_not_supported` when the driver cannot list; 503 `pbx_unavailable` when the PBX could not be read.',
      security: [{ OAuth2PasswordBearer: [] }],
      body: Type.Object({ fix: Type.Optional(Type.Boolean({ default: false })) }, { additionalProperties: false }),
      response: { 200: ReportSchema, ...problemResponses(...BODY_PROBLEMS, 401, 403, 409, 422, 503) },
    },
    handler: async (request) => {
      const { userId } = await admin.requireAdmin(request);
      const fix = request.body.fix === true;
      const report = await reconcile({ fix });
      await audit.record({
        actorId: userId,
        action: fix ? 'reconcile.fix' : 'reconcile.report',
        address: request.ip,
        detail: { missing: report.missingOnPbx.length, drift: report.secretDrift.length, orphans: report.orphansOnPbx.length, foreign: report.foreign.length, jobs: report.jobsQueued },
      });
      return reportBody(report);
    },
  });
}
