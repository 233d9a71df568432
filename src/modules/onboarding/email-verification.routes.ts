import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Locale } from '../../shared/locale.ts';
import { problemResponses } from '../../shared/schemas.ts';
import { registerMailRequestRoute } from '../auth/mail-request-route.ts';
import { isAppError } from '../../shared/errors.ts';
import type { AccountPages } from '../pages/account-pages.ts';
import { pageLocale, registerLinkPageRoute } from '../pages/link-page-route.ts';
import { isFormPost, pageOrJson, sendPage } from '../pages/page-responses.ts';
import type { EmailVerification } from './email-verification.usecases.ts';

const TokenBody = Type.Object({ token: Type.String({ minLength: 1, maxLength: 1000 }) }, { additionalProperties: false });

export function registerEmailVerificationRoutes(app: FastifyInstance, { verification, pages, rateLimitPerMinute, defaultLocale }: {
  verification: EmailVerification;
  pages: AccountPages;
  rateLimitPerMinute: number;
  defaultLocale: Locale;
}): void {
  const router = app.withTypeProvider<TypeBoxTypeProvider>();
  const config = { rateLimit: { max: rateLimitPerMinute, timeWindow: '1 minute' } };
  const localeOf = (user: { locale: string | null } | undefined, acceptLanguage: string | undefined) => pageLocale(user, acceptLanguage, defaultLocale);

  registerLinkPageRoute(app, {
    url: '/auth/verify-email',
    purpose: 'verify-email',
    summary: 'The page a verification link opens: one button that verifies (a POST)',
    description: 'Opening the page verifies nothing (mail scanners follow links); its button posts the token to POST /auth/verify-email.',
    describeToken: (token) => verification.describeToken(token),
    render: (locale, args) => pages.verifyEmail(locale, args),
    pages,
    rateLimit: config.rateLimit,
    defaultLocale,
  });

  router.post('/auth/verify-email', {
    config,
    schema: {
      tags: ['auth'],
      summary: 'Verify the email with the token of the mailed link',
      description:
        'JSON `{"token"}` → 200 `{"email_verified":true}`; the form of GET /auth/verify-email → a page. With EMAIL_VERIFICATION=required the SIP extension is then created. ' +
        'An unknown, used or expired token: 400 `email_token_invalid`. A token works once.',
      body: TokenBody,
      response: {
        200: pageOrJson('Verified', 200, Type.Object({ email_verified: Type.Literal(true) })),
        400: pageOrJson('The token is invalid, expired or used (`email_token_invalid`), or the body is malformed (`malformed_body`)', 400),
        ...problemResponses(413, 415, 422, 429),
      },
    },
    handler: async (request, reply) => {
      if (!isFormPost(request)) {
        await verification.verify(request.body.token);
        return reply.header('cache-control', 'no-store').type('application/json; charset=utf-8').send({ email_verified: true as const });
      }
      try {
        const user = await verification.verify(request.body.token);
        return sendPage(reply, 200, pages.emailVerified(localeOf(user, request.headers['accept-language'])));
      } catch (error) {
        if (!isAppError(error) || error.code !== 'email_token_invalid') throw error;
        return sendPage(reply, 400, pages.invalidLink(localeOf(undefined, request.headers['accept-language']), 'verify-email'));
      }
    },
  });

  registerMailRequestRoute(app, {
    url: '/auth/resend-verification',
    summary: 'Send the verification mail again',
    rateLimit: config.rateLimit,
    requestMail: (email) => verification.resend(email),
  });
}
