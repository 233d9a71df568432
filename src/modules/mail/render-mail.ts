import type { TFunction } from 'i18next';
import type { Locale } from '../../shared/locale.ts';
import { createMailTranslator } from './mail-i18n.ts';
import { mailTemplates, type MailParams, type MailTemplateName } from './templates/index.ts';
import { renderLayout } from './templates/layout.ts';
import type { MailTemplate, RenderedMail } from './templates/template.ts';

/** Renders any template in any supported locale, with the operator's name and base URL in it. */
export function createMailRenderer({ serviceName, publicBaseUrl }: { serviceName: string; publicBaseUrl: string }) {
  const translate: (locale: Locale) => TFunction = createMailTranslator();
  return async function renderMail<N extends MailTemplateName>(template: N, locale: Locale, params: MailParams<N>): Promise<RenderedMail> {
    // The params were checked against this template's schema when the mail was queued.
    const definition = mailTemplates[template] as unknown as MailTemplate;
    const body = await definition.render(params, { t: translate(locale), serviceName, publicBaseUrl });
    return renderLayout(body);
  };
}

export type MailRenderer = ReturnType<typeof createMailRenderer>;
