import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { Binary, mediaResponse, problemResponses } from '../../shared/schemas.ts';
import { bearerSecurity, type Authenticate } from '../auth/authenticate.ts';
import { deliveryOf, type CredentialAccessRecorder } from '../sip-accounts/credential-access.port.ts';
import type { SipAccountUseCases } from '../sip-accounts/sip-accounts.usecases.ts';
import { credentialFormats, renderQrPng, renderQrSvg, type CredentialFormatName, type CredentialFormatOptions } from './formats/index.ts';

// The one-scan payloads a softphone reads from a QR code; the Linphone XML goes through provisioning links.
const SCANNABLE = ['acrobits', 'sessiontalk', 'sip-uri'] as const satisfies readonly CredentialFormatName[];
const FORMATS = ['linphone-xml', ...SCANNABLE] as const satisfies readonly CredentialFormatName[];

const literalUnion = (names: readonly string[]) => Type.Union(names.map((name) => Type.Literal(name)));

/**
 * Sibling routes of GET /sip/credentials, one per format of the credential registry:
 * `/sip/credentials/{format}` (the text) and, for the one-scan formats, `/sip/credentials/{format}/qr.png|svg`.
 */
export function registerCredentialFormatRoutes(app: FastifyInstance, { sipAccounts, authenticate, formatOptions, accessLog }: {
  sipAccounts: Pick<SipAccountUseCases, 'getCredentials'>;
  authenticate: Authenticate;
  formatOptions: CredentialFormatOptions;
  /** Each answer that carries the secret is recorded (GET /sip/credentials/access-log). */
  accessLog: CredentialAccessRecorder;
}): void {
  const router = app.withTypeProvider<TypeBoxTypeProvider>();
  // Rendered, then recorded under `channel`; sip-uri carries no secret, so handing it out is not recorded.
  const render = async (request: FastifyRequest, format: CredentialFormatName, channel: string) => {
    const userId = await authenticate(request);
    const text = credentialFormats[format].render(await sipAccounts.getCredentials(userId), formatOptions);
    if (format !== 'sip-uri') accessLog.record(deliveryOf(request, userId, channel));
    return text;
  };

  router.get('/sip/credentials/:format', {
    schema: {
      tags: ['sip'],
      summary: 'SIP credentials in a softphone format',
      description:
        '`linphone-xml`: a Linphone configuration file. `acrobits`: `csc:user:password@CLOUDID` (404 unless ACROBITS_CLOUD_ID is set). ' +
        '`sessiontalk`: `scloc:{"sipaccounts":[…]}`. `sip-uri`: `sip:user@domain`. Each holds the secret except `sip-uri`.',
      security: bearerSecurity,
      params: Type.Object({ format: literalUnion(FORMATS) }),
      response: {
        200: mediaResponse('The credentials in that format', { 'application/xml': Type.String(), 'text/plain': Type.String() }),
        ...problemResponses(401, 404, 409, 422),
      },
    },
    handler: async (request, reply) => {
      const format = request.params.format as CredentialFormatName;
      const text = await render(request, format, format);
      return reply.header('cache-control', 'no-store').type(credentialFormats[format].contentType).send(text);
    },
  });

  router.get('/sip/credentials/:format/:image', {
    schema: {
      tags: ['sip'],
      summary: 'QR code of a one-scan credential format',
      security: bearerSecurity,
      params: Type.Object({ format: literalUnion(SCANNABLE), image: literalUnion(['qr.png', 'qr.svg']) }),
      response: { 200: mediaResponse('The QR code', { 'image/png': Binary, 'image/svg+xml': Type.String() }), ...problemResponses(401, 404, 409, 422) },
    },
    handler: async (request, reply) => {
      const format = request.params.format as CredentialFormatName;
      const text = await render(request, format, `${format}/${request.params.image}`);
      reply.header('cache-control', 'no-store');
      if (request.params.image === 'qr.png') return reply.type('image/png').send(await renderQrPng(text));
      return reply.type('image/svg+xml; charset=utf-8').send(await renderQrSvg(text));
    },
  });
}
