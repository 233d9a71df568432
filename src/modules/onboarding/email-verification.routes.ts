import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { chooseLocale } from '../../shared/accept-language.ts';
import type { Locale } from '../../shared/locale.ts';
import { BODY_PROBLEMS, problemResponses } from '../../shared/schemas.ts';
import { Email } from '../auth/auth.schemas.ts';
import { isAppError } from '../../shared/errors.ts';
import type { AccountPages } from '../pages/account-pages.ts';
import { isFormPost, pageOrJson, sendPage } from '../pages/page-responses.ts';
import type { EmailVerification } from './email-verification.usecases.ts';

// No pattern: a malformed token gets the same answer as an unknown one. Other query parameters (a mail
// client's tracking) are let through.
const TokenQuery = Type.Object({ token: Type.Optional(Type.String({ maxLength: 1000 })) });
export const TokenBody = Type.Object({ token: Type.String({ minLength: 1, maxLength: 1000 }) }, { additionalProperties: false });
export const EmailBody = Type.Object({ email: Email }, { additionalProperties: false });
export const Accepted = Type.Object({ status: Type.Literal('accepted') });

export function registerEmailVerificationRoutes(app: FastifyInstance, { verification, pages, rateLimitPerMinute, defaultLocale }: {
  verification: EmailVerification;
  pages: AccountPages;
  rateLimitPerMinute: number;
  defaultLocale: Locale;
}): void {
  const router = app.withTypeProvider<TypeBoxTypeProvider>();
  const config = { rateLimit: { max: rateLimitPerMinute, timeWindow: '1 minute' } };
  const localeOf = (user: { locale: string | null } | undefined, acceptLanguage: string | undefined) =>
    chooseLocale({ asked: user?.locale, acceptLanguage, fallback: defaultLocale });

  router.get('/auth/verify-email', {
    config,
    schema: {
      tags: ['auth'],
      summary: 'The page a verification link opens: one button that verifies (a POST)',
      description: 'Opening the page verifies nothing (mail scanners follow links); its button posts the token to POST /auth/verify-email.',
      querystring: TokenQuery,
      response: { 200: pageOrJson('The confirmation page', 200), 400: pageOrJson('The link is invalid, expired or used (`email_token_invalid`)', 400), ...problemResponses(429) },
    },
    handler: async (request, reply) => {
      const token = request.query.token ?? '';
      const user = token ? await verification.describeToken(token) : undefined;
      const locale = localeOf(user, request.headers['accept-language']);
      if (!user) return sendPage(reply, 400, pages.invalidLink(locale, 'verify-email'));
      return sendPage(reply, 200, pages.verifyEmail(locale, { token, email: user.email }));
    },
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

  router.post('/auth/resend-verification', {
    config,
    schema: {
      tags: ['auth'],
      summary: 'Send the verification mail again',
      description: 'Always 202 with the same body, at once, whether or not the email has an account (the mail, if any, is sent in the background; at most one a minute).',
      body: EmailBody,
      response: { 202: Accepted, ...problemResponses(...BODY_PROBLEMS, 422, 429) },
    },
    handler: async (request, reply) => {
      verification.resend(request.body.email);
      return reply.status(202).header('cache-control', 'no-store').type('application/json; charset=utf-8').send({ status: 'accepted' as const });
    },
  });
}
