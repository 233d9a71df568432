import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Queryable } from '../../db/database.ts';
import { BODY_PROBLEMS, problemResponses } from '../../shared/schemas.ts';
import { notAuthenticatedError } from '../auth/auth.errors.ts';
import { bearerSecurity, type Authenticate } from '../auth/authenticate.ts';
import { meBody } from '../onboarding/me-body.ts';
import { MeResponse } from '../onboarding/onboarding.schemas.ts';
import { AccountExport, readAccountExport } from './account-export.ts';
import type { createDeleteAccount } from './delete-account.ts';
import { DeleteMeBody, DeletingResponse, PatchMeBody } from './me.schemas.ts';
import type { createUpdateProfile } from './update-profile.ts';

/** The user's own account: change it, take a copy of it, leave. (`Cache-Control: no-store` comes with /auth.) */
export function registerMeRoutes(app: FastifyInstance, { db, deleteAccount, updateProfile, authenticate, rateLimitPerMinute, registrationReported }: {
  db: Queryable;
  /** As GET /auth/me's registration_reported (registerOnboardingRoutes). */
  registrationReported: boolean;
  deleteAccount: ReturnType<typeof createDeleteAccount>;
  updateProfile: ReturnType<typeof createUpdateProfile>;
  authenticate: Authenticate;
  rateLimitPerMinute: number;
}): void {
  const router = app.withTypeProvider<TypeBoxTypeProvider>();
  const rateLimit = { max: rateLimitPerMinute, timeWindow: '1 minute' };

  router.delete('/auth/me', {
    config: { rateLimit },
    schema: {
      tags: ['auth'],
      summary: 'Delete my account',
      description:
        'Needs the current password (401 `invalid_credentials` if wrong; failures count like failed logins). From the answer on, logins, tokens, ' +
        'credentials and provisioning links of the user are refused; the extension is removed from the PBX (retried while the PBX is down), then ' +
        'the personal data are erased. A confirmation mail is sent. The number is handed out again only after EXTENSION_REUSE_AFTER.',
      security: bearerSecurity,
      body: DeleteMeBody,
      response: { 202: DeletingResponse, ...problemResponses(...BODY_PROBLEMS, 401, 422, 429) },
    },
    handler: async (request, reply) => {
      await deleteAccount({ userId: await authenticate(request), password: request.body.password, clientAddress: request.ip });
      return reply.status(202).send({ status: 'deleting' as const });
    },
  });

  router.patch('/auth/me', {
    config: { rateLimit },
    schema: {
      tags: ['auth'],
      summary: 'Change my display name or language',
      description: 'Answers as GET /auth/me. A new display name reaches the PBX (extension name and caller ID) through a provisioning job; the next credentials, formats and provisioning links carry it.',
      security: bearerSecurity,
      body: PatchMeBody,
      response: { 200: MeResponse, ...problemResponses(...BODY_PROBLEMS, 401, 422, 429) },
    },
    handler: async (request) => {
      const userId = await authenticate(request);
      return meBody(await updateProfile({ userId, displayName: request.body.display_name, locale: request.body.locale }), registrationReported);
    },
  });

  router.get('/auth/me/export', {
    config: { rateLimit },
    schema: {
      tags: ['auth'],
      summary: 'Everything held about me, as a JSON file',
      description: 'Profile, SIP account state, provisioning links and jobs; never a password hash, a SIP secret or a token.',
      security: bearerSecurity,
      response: { 200: AccountExport, ...problemResponses(401, 429) },
    },
    handler: async (request, reply) => {
      const exported = await readAccountExport(db, await authenticate(request));
      if (!exported) throw notAuthenticatedError({ detail: 'This account no longer exists or is being deleted.' });
      return reply.header('content-disposition', 'attachment; filename="account-export.json"').send(exported);
    },
  });
}
