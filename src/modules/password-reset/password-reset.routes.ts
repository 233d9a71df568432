import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { isAppError } from '../../shared/errors.ts';
import type { Locale } from '../../shared/locale.ts';
import { problemResponses } from '../../shared/schemas.ts';
import { Password } from '../auth/auth.schemas.ts';
import { registerMailRequestRoute } from '../auth/mail-request-route.ts';
import type { AccountPages } from '../pages/account-pages.ts';
import { pageLocale, registerLinkPageRoute } from '../pages/link-page-route.ts';
import { isFormPost, pageOrJson, sendPage } from '../pages/page-responses.ts';
import type { PasswordReset } from './password-reset.usecases.ts';

const ResetBody = Type.Object({ token: Type.String({ minLength: 1, maxLength: 1000 }), new_password: Password }, { additionalProperties: false });

export function registerPasswordResetRoutes(app: FastifyInstance, { passwordReset, pages, rateLimitPerMinute, defaultLocale }: {
  passwordReset: PasswordReset;
  pages: AccountPages;
  rateLimitPerMinute: number;
  defaultLocale: Locale;
}): void {
  const router = app.withTypeProvider<TypeBoxTypeProvider>();
  const config = { rateLimit: { max: rateLimitPerMinute, timeWindow: '1 minute' } };
  const localeOf = (user: { locale: string | null } | undefined, acceptLanguage: string | undefined) => pageLocale(user, acceptLanguage, defaultLocale);

  registerMailRequestRoute(app, {
    url: '/auth/forgot-password',
    summary: 'Mail a password-reset link',
    descriptionTail: ' The link lives PASSWORD_RESET_TTL.',
    rateLimit: config.rateLimit,
    requestMail: (email) => passwordReset.requestReset(email),
  });

  registerLinkPageRoute(app, {
    url: '/auth/reset-password',
    purpose: 'reset-password',
    summary: 'The page a reset link opens: a form for the new password',
    description: 'Opening the page changes nothing; its form posts to POST /auth/reset-password.',
    describeToken: (token) => passwordReset.describeToken(token),
    render: (locale, args) => pages.resetPassword(locale, args),
    pages,
    rateLimit: config.rateLimit,
    defaultLocale,
  });

  router.post('/auth/reset-password', {
    config,
    schema: {
      tags: ['auth'],
      summary: 'Set a new password with the token of the mailed link',
      description:
        'JSON `{"token","new_password"}` → 204; the form of GET /auth/reset-password → a page. The password policy of sign-up applies (422). ' +
        'Every session of the user ends, and a mail tells them. An unknown, used or expired token: 400 `email_token_invalid`. A token works once.',
      body: ResetBody,
      response: {
        200: pageOrJson('The form was posted: the password is changed', 200),
        204: Type.Null({ description: 'The password is changed' }),
        400: pageOrJson('The token is invalid, expired or used (`email_token_invalid`), or the body is malformed (`malformed_body`)', 400),
        422: pageOrJson('The new password is refused (`validation_failed`, `password_too_common`)', 422),
        ...problemResponses(413, 415, 429),
      },
    },
    handler: async (request, reply) => {
      const { token, new_password: newPassword } = request.body;
      if (!isFormPost(request)) {
        await passwordReset.reset({ token, newPassword });
        return reply.status(204).header('cache-control', 'no-store').send();
      }
      const acceptLanguage = request.headers['accept-language'];
      try {
        const user = await passwordReset.reset({ token, newPassword });
        return sendPage(reply, 200, pages.passwordChanged(localeOf(user, acceptLanguage)));
      } catch (error) {
        if (!isAppError(error)) throw error;
        if (error.code === 'email_token_invalid') return sendPage(reply, 400, pages.invalidLink(localeOf(undefined, acceptLanguage), 'reset-password'));
        if (error.code !== 'password_too_common') throw error;
        const user = await passwordReset.describeToken(token);
        if (!user) return sendPage(reply, 400, pages.invalidLink(localeOf(undefined, acceptLanguage), 'reset-password'));
        return sendPage(reply, 422, pages.resetPassword(localeOf(user, acceptLanguage), { token, email: user.email, error: 'tooCommon' }));
      }
    },
  });
}
