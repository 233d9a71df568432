import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { chooseLocale } from '../../shared/accept-language.ts';
import type { Locale } from '../../shared/locale.ts';
import { problemResponses } from '../../shared/schemas.ts';
import type { AccountPages } from './account-pages.ts';
import { pageOrJson, sendPage } from './page-responses.ts';

// No pattern: a malformed token gets the same answer as an unknown one. Other query parameters (a mail
// client's tracking) are let through.
const TokenQuery = Type.Object({ token: Type.Optional(Type.String({ maxLength: 1000 })) });

/** The language of a page about `user`'s link: theirs, else the browser's, else DEFAULT_LOCALE. */
export const pageLocale = (user: { locale: string | null } | undefined, acceptLanguage: string | undefined, fallback: Locale) =>
  chooseLocale({ asked: user?.locale, acceptLanguage, fallback });

/**
 * The GET route a mailed link opens (`/auth/verify-email?token=…`, `/auth/reset-password?token=…`): a page
 * whose form posts the token, in the user's language; opening it uses nothing up (mail scanners follow
 * links). Any bad token gets the one invalid-link page (400).
 */
export function registerLinkPageRoute(app: FastifyInstance, { url, purpose, summary, description, describeToken, render, pages, rateLimit, defaultLocale }: {
  url: string;
  purpose: 'verify-email' | 'reset-password';
  summary: string;
  description: string;
  /** The user the token belongs to while it is usable; undefined otherwise. */
  describeToken(token: string): Promise<{ email: string; locale: string | null } | undefined>;
  render(locale: Locale, args: { token: string; email: string }): string;
  pages: Pick<AccountPages, 'invalidLink'>;
  rateLimit: { max: number; timeWindow: string };
  defaultLocale: Locale;
}): void {
  app.withTypeProvider<TypeBoxTypeProvider>().get(url, {
    config: { rateLimit },
    schema: {
      tags: ['auth'],
      summary,
      description,
      querystring: TokenQuery,
      response: { 200: pageOrJson('The page', 200), 400: pageOrJson('The link is invalid, expired or used (`email_token_invalid`)', 400), ...problemResponses(429) },
    },
    handler: async (request, reply) => {
      const token = request.query.token ?? '';
      const user = token ? await describeToken(token) : undefined;
      const locale = pageLocale(user, request.headers['accept-language'], defaultLocale);
      if (!user) return sendPage(reply, 400, pages.invalidLink(locale, purpose));
      return sendPage(reply, 200, render(locale, { token, email: user.email }));
    },
  });
}
