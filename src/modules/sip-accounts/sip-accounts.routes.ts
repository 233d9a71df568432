import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type, type Static } from '@sinclair/typebox';
import { problemResponses } from '../../shared/schemas.ts';
import { bearerSecurity, type Authenticate } from '../auth/authenticate.ts';
import { deliveryOf, type CredentialAccessRecorder } from './credential-access.port.ts';
import type { SipAccountUseCases } from './sip-accounts.usecases.ts';
import type { SipCredentials } from './sip-credentials.ts';

export const SipCredentialsSchema = Type.Object({
  username: Type.String({ examples: ['1000'] }),
  password: Type.String({ description: 'The SIP secret.' }),
  domain: Type.String({ examples: ['pbx.example.com'] }),
  port: Type.Integer({ examples: [5060] }),
  transport: Type.Union([Type.Literal('udp'), Type.Literal('tcp'), Type.Literal('tls')]),
  display_name: Type.String(),
  auth_username: Type.String(),
  proxy: Type.Union([Type.String(), Type.Null()], {
    description: 'The outbound proxy (SIP_PROXY) as host:port, which REGISTER and calls go through; null when there is none (the phone goes to domain:port).',
    examples: ['sip-edge.example.com:5060', null],
  }),
  media_encryption: Type.Union([Type.Literal('none'), Type.Literal('srtp'), Type.Literal('zrtp'), Type.Literal('dtls-srtp')], {
    description: 'MEDIA_ENCRYPTION: none (the phone\'s own choice), srtp (SDES-SRTP) or dtls-srtp (required of every call), or zrtp (offered, end to end).',
  }),
});

type SipCredentialsAnswer = Static<typeof SipCredentialsSchema>;

export function registerSipAccountRoutes(app: FastifyInstance, { sipAccounts, authenticate, accessLog }: {
  sipAccounts: Pick<SipAccountUseCases, 'credentialsNow'>;
  authenticate: Authenticate;
  /** Each answer that carries the secret is recorded (GET /sip/credentials/access-log). */
  accessLog: CredentialAccessRecorder;
}): void {
  const router = app.withTypeProvider<TypeBoxTypeProvider>();
  const answer = (request: FastifyRequest, reply: FastifyReply, userId: string, credentials: SipCredentials): SipCredentialsAnswer => {
    accessLog.record(deliveryOf(request, userId, 'json'));
    // A secret: never let a shared cache keep it.
    reply.header('cache-control', 'no-store');
    // The use case fills both (no copy then); a stand-in may leave them out.
    if (credentials.proxy !== undefined && credentials.media_encryption !== undefined) return credentials as SipCredentialsAnswer;
    return { ...credentials, proxy: credentials.proxy ?? null, media_encryption: credentials.media_encryption ?? 'none' };
  };
  const forUser = (request: FastifyRequest, reply: FastifyReply, userId: string) => {
    const credentials = sipAccounts.credentialsNow(userId);
    return credentials instanceof Promise ? credentials.then((found) => answer(request, reply, userId, found)) : answer(request, reply, userId, credentials);
  };

  router.get('/sip/credentials', {
    schema: {
      tags: ['sip'],
      summary: 'SIP credentials for a softphone',
      description: '409 `sip_account_pending` (with Retry-After) while the PBX is still creating the extension; 409 `sip_account_failed` if it gave up.',
      security: bearerSecurity,
      response: { 200: SipCredentialsSchema, ...problemResponses(401, 404, 409) },
    },
    // Not an async function: a cached read (token, session and credentials all in memory) is answered within
    // this call, with no promise and no later turn of the event loop; otherwise the promises are chained.
    handler: (request, reply) => {
      const userId = authenticate.userIdNow(request);
      return typeof userId === 'string' ? forUser(request, reply, userId) : userId.then((id) => forUser(request, reply, id));
    },
  });
}
