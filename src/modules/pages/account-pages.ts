import type { Locale } from '../../shared/locale.ts';
import { createPageTranslator } from './page-i18n.ts';
import { renderPage } from './render-page.ts';

/**
 * The pages behind the links of the verification and reset mails, in the reader's language. Each GET page
 * only shows a form: the change happens when the person presses its button (a POST), so a mail scanner that
 * follows the link changes nothing.
 */
export function createAccountPages({ serviceName, passwordLength }: { serviceName: string; passwordLength: { min: number; max: number } }) {
  const translator = createPageTranslator();
  const page = (locale: Locale, key: string, { title = 'title', ...parts }: Omit<Parameters<typeof renderPage>[0], 'locale' | 'serviceName' | 'title'> & { title?: string }) =>
    renderPage({ locale, serviceName, title: translator(locale)(`${key}.${title}`), ...parts });

  return {
    verifyEmail(locale: Locale, { token, email }: { token: string; email: string }): string {
      const t = translator(locale);
      return page(locale, 'verify-email', {
        paragraphs: [t('verify-email.intro', { email, serviceName })],
        form: { action: 'verify-email', hidden: { token }, button: t('verify-email.action') },
      });
    },

    // From /auth/verify-email, `../` is the web page's start (/), which then shows the account going live.
    emailVerified: (locale: Locale) =>
      page(locale, 'verify-email', { title: 'doneTitle', paragraphs: [translator(locale)('verify-email.done')], link: { href: '../', text: translator(locale)('verify-email.continue') } }),

    resetPassword(locale: Locale, { token, email, error }: { token: string; email: string; error?: 'tooCommon' }): string {
      const t = translator(locale);
      return page(locale, 'reset-password', {
        paragraphs: [t('reset-password.intro', { email, serviceName })],
        ...(error ? { error: t(`reset-password.${error}`) } : {}),
        form: {
          action: 'reset-password',
          hidden: { token },
          password: {
            name: 'new_password',
            label: t('reset-password.label'),
            hint: t('reset-password.hint', { min: passwordLength.min }),
            minLength: passwordLength.min,
            maxLength: passwordLength.max,
          },
          button: t('reset-password.action'),
        },
      });
    },

    passwordChanged: (locale: Locale) =>
      page(locale, 'reset-password', { title: 'doneTitle', paragraphs: [translator(locale)('reset-password.done')], link: { href: '../app/log-in', text: translator(locale)('reset-password.continue') } }),

    /** One page for an unknown, used, superseded or expired link. */
    invalidLink: (locale: Locale, flow: 'verify-email' | 'reset-password') =>
      page(locale, flow, { title: 'invalidTitle', paragraphs: [translator(locale)(`${flow}.invalid`)] }),
  };
}

export type AccountPages = ReturnType<typeof createAccountPages>;
