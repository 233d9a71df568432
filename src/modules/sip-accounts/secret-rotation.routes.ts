import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { BODY_PROBLEMS, problemResponses } from '../../shared/schemas.ts';
import { bearerSecurity, type Authenticate } from '../auth/authenticate.ts';
import type { RotationState, SecretRotationUseCases } from './secret-rotation.usecases.ts';
import { PENDING_RETRY_AFTER_SECONDS } from './account-status.ts';

const RotationResponse = Type.Object({
  status: Type.Union([Type.Literal('pending'), Type.Literal('active'), Type.Literal('failed')], {
    description:
      'active: the new secret is live on the PBX and the old one is refused. pending: the old secret stays live until the PBX has the new one. ' +
      'failed (GET only): the PBX refused the new secret; the old one stays live, and POST /sip/credentials/rotate tries again.',
  }),
  extension: Type.String({ examples: ['1000'] }),
  secret_version: Type.Integer({ description: 'Version of the new secret; provisioning links made for an earlier version no longer work.' }),
});

const toBody = (state: RotationState) => ({ status: state.status, extension: state.extension, secret_version: state.secretVersion });

export function registerSecretRotationRoutes(app: FastifyInstance, { rotation, authenticate }: {
  rotation: SecretRotationUseCases;
  authenticate: Authenticate;
}): void {
  const router = app.withTypeProvider<TypeBoxTypeProvider>();

  router.post('/sip/credentials/rotate', {
    schema: {
      tags: ['sip'],
      summary: 'Rotate the SIP secret',
      description:
        'Pushes a new secret to the PBX through the durable job flow. 200 `active` when it went live within PROVISION_WAIT_MS, ' +
        'else 202 `pending` (with Retry-After; follow with GET /sip/credentials/rotation). A rotation already under way is joined, not restarted. ' +
        'GET /sip/credentials returns the new secret from the moment it is live; earlier provisioning links then stop working. ' +
        '502 `secret_rotation_refused` when the PBX refused the new secret for good (the old one stays live).',
      security: bearerSecurity,
      response: { 200: RotationResponse, 202: RotationResponse, ...problemResponses(...BODY_PROBLEMS, 401, 404, 409, 502) },
    },
    handler: async (request, reply) => {
      const state = await rotation.rotateSecret(await authenticate(request));
      if (state.status === 'pending') reply.header('retry-after', String(PENDING_RETRY_AFTER_SECONDS));
      return reply.status(state.status === 'active' ? 200 : 202).send(toBody(state));
    },
  });

  router.get('/sip/credentials/rotation', {
    schema: {
      tags: ['sip'],
      summary: 'Whether a secret rotation is waiting for the PBX',
      security: bearerSecurity,
      response: { 200: RotationResponse, ...problemResponses(401, 404, 409) },
    },
    handler: async (request) => toBody(await rotation.getRotationState(await authenticate(request))),
  });
}
