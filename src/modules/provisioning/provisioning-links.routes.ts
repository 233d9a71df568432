import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { Binary, BODY_PROBLEMS, mediaResponse, problemResponses, Timestamp } from '../../shared/schemas.ts';
import { bearerSecurity, type Authenticate } from '../auth/authenticate.ts';
import { deliveryOf, type CredentialAccessRecorder } from '../sip-accounts/credential-access.port.ts';
import { renderQrPng, renderQrSvg } from './formats/index.ts';
import { isLinphoneFetch } from './linphone-fetch.ts';
import type { ProvisioningLinkUseCases } from './provisioning-links.usecases.ts';
import { renderScanPage, SCAN_PAGE_SCRIPT, SCAN_PAGE_SCRIPT_PATH } from './scan-page.ts';
import { chooseLocale } from '../../shared/accept-language.ts';
import type { Locale } from '../../shared/locale.ts';

const ProvisioningLinkResponse = Type.Object({
  url: Type.String({ description: 'The remote-provisioning URL; put it, plain, in the QR code.' }),
  expires_at: Timestamp,
  qr_png_url: Type.String(),
  qr_svg_url: Type.String(),
  deep_link: Type.String({ description: '`linphone-config:<url>`, for a clickable link on the phone itself (not for QR codes).' }),
});

// No pattern on the token: a malformed one must get the same answer as an unknown one, not a 422.
const TokenParams = Type.Object({ token: Type.String() });

// The IP and User-Agent of the first Linphone fetch; the From header is left out because Linphone adds it
// only once it has an account, that is after the first fetch.
const deviceFingerprint = (request: FastifyRequest) => `${request.ip}\n${request.headers['user-agent'] ?? ''}`;

export function registerProvisioningLinkRoutes(app: FastifyInstance, { provisioningLinks, authenticate, rateLimitPerMinute, acceptLegacyLinphone, accessLog, defaultLocale }: {
  provisioningLinks: ProvisioningLinkUseCases;
  authenticate: Authenticate;
  rateLimitPerMinute: number;
  acceptLegacyLinphone: boolean;
  /** Each Linphone fetch that gets the XML (it holds the secret) is recorded; the page and QR codes are not. */
  accessLog: CredentialAccessRecorder;
  /** The help page's language when neither the link's user nor the browser names a supported one. */
  defaultLocale: Locale;
}): void {
  const router = app.withTypeProvider<TypeBoxTypeProvider>();
  // Each public route of a link has this budget per client address, apart from the API's: the URL is a
  // capability, and a 256-bit token is out of reach of guessing anyway, so the limit mostly caps load.
  const rateLimit = { max: rateLimitPerMinute, timeWindow: '1 minute' };

  router.post('/sip/provisioning-links', {
    schema: {
      tags: ['provisioning'],
      summary: 'Create a one-time remote-provisioning link for Linphone',
      description:
        'The link lives PROVISIONING_LINK_TTL and is used up only by a Linphone fetch (`X-Linphone-Provisioning`, or no Accept header and ' +
        'a liblinphone User-Agent), so browsers, e-mail scanners and chat previews cannot burn it. It dies early when the SIP secret is rotated.',
      security: bearerSecurity,
      response: { 201: ProvisioningLinkResponse, ...problemResponses(...BODY_PROBLEMS, 401, 404, 409) },
    },
    handler: async (request, reply) => {
      const link = await provisioningLinks.createLink(await authenticate(request));
      reply.header('cache-control', 'no-store');
      return reply.status(201).send({
        url: link.url,
        expires_at: link.expiresAt.toISOString(),
        qr_png_url: link.qrPngUrl,
        qr_svg_url: link.qrSvgUrl,
        deep_link: link.deepLink,
      });
    },
  });

  router.get('/provisioning/:token', {
    config: { rateLimit },
    schema: {
      tags: ['provisioning'],
      summary: 'Remote provisioning (public; the URL is the capability)',
      description:
        'A Linphone fetch (`X-Linphone-Provisioning`, as liblinphone 5.3+ sends; or no Accept header and a liblinphone User-Agent such as `Unknown`, ' +
        '`Linphonec/5.1.65` or `… LinphoneSDK/5.2.0`, as older versions send; with PROVISIONING_ACCEPT_LEGACY_LINPHONE, any fetch without Accept): ' +
        'the Linphone XML, and the link is used up. Otherwise: a page telling the user to scan ' +
        'the link in Linphone; the link stays usable. Unknown, expired, used and superseded links all get the same 404.',
      params: TokenParams,
      response: {
        200: mediaResponse('The Linphone XML (a Linphone fetch) or the page to scan (anyone else)', { 'application/xml': Type.String(), 'text/html': Type.String() }),
        ...problemResponses(404, 429),
      },
    },
    handler: async (request, reply) => {
      const { token } = request.params;
      reply.header('cache-control', 'no-store').header('x-robots-tag', 'noindex');
      if (isLinphoneFetch(request.headers, { acceptLegacyLinphone })) {
        const { xml, userId } = await provisioningLinks.fetchLinphoneConfig({ token, deviceFingerprint: deviceFingerprint(request) });
        accessLog.record(deliveryOf(request, userId, 'provisioning_link'));
        return reply.type('application/xml; charset=utf-8').send(xml);
      }
      const { locale: asked } = await provisioningLinks.assertUnused(token);
      const locale = chooseLocale({ asked, acceptLanguage: request.headers['accept-language'], fallback: defaultLocale });
      const page = renderScanPage({ url: provisioningLinks.publicUrlOf(token), qrSvgPath: `${token}/qr.svg`, locale });
      return reply.type('text/html; charset=utf-8').send(page);
    },
  });

  // The help page's script, a file because the CSP allows no inline script. The same for everyone and holding
  // nothing of any link (a static route: find-my-way tries it before /provisioning/:token), so it may be cached.
  router.get(`/provisioning/${SCAN_PAGE_SCRIPT_PATH}`, {
    schema: {
      tags: ['provisioning'],
      summary: 'The script of the provisioning help page (its copy button)',
      response: { 200: mediaResponse('The script', { 'text/javascript': Type.String() }) },
    },
    handler: async (_request, reply) =>
      reply.header('cache-control', 'public, max-age=3600').type('text/javascript; charset=utf-8').send(SCAN_PAGE_SCRIPT),
  });

  // The QR codes are served under the public link rather than under /sip/provisioning-links/{id}: only the
  // token's hash is stored, so the URL can be rebuilt only from a token the caller already holds. They
  // reveal nothing the holder cannot already fetch, never use the link up, and vanish once it is used.
  router.get('/provisioning/:token/qr.png', {
    config: { rateLimit },
    schema: {
      tags: ['provisioning'],
      summary: 'QR code (PNG) of the provisioning URL',
      params: TokenParams,
      response: { 200: mediaResponse('The QR code', { 'image/png': Binary }), ...problemResponses(404, 429) },
    },
    handler: async (request, reply) => {
      await provisioningLinks.assertUnused(request.params.token);
      const png = await renderQrPng(provisioningLinks.publicUrlOf(request.params.token));
      return reply.header('cache-control', 'no-store').type('image/png').send(png);
    },
  });

  router.get('/provisioning/:token/qr.svg', {
    config: { rateLimit },
    schema: {
      tags: ['provisioning'],
      summary: 'QR code (SVG) of the provisioning URL',
      params: TokenParams,
      response: { 200: mediaResponse('The QR code', { 'image/svg+xml': Type.String() }), ...problemResponses(404, 429) },
    },
    handler: async (request, reply) => {
      await provisioningLinks.assertUnused(request.params.token);
      const svg = await renderQrSvg(provisioningLinks.publicUrlOf(request.params.token));
      return reply.header('cache-control', 'no-store').type('image/svg+xml; charset=utf-8').send(svg);
    },
  });
}
