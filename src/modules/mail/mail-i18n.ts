import i18next, { type TFunction } from 'i18next';
import type { Locale } from '../../shared/locale.ts';
import en from './locales/en.json' with { type: 'json' };
import es from './locales/es.json' with { type: 'json' };

/** The mail message catalogues, one per supported locale (a test proves they hold the same keys). */
export const mailCatalogues: Record<Locale, Record<string, Record<string, string>>> = { en, es };

/**
 * One i18next instance of our own (never the global one, which another module may configure differently),
 * initialised synchronously: the catalogues are bundled, nothing is loaded at run time. Values are not escaped
 * here: the layout escapes every string that goes into HTML, and the text part must stay plain.
 */
export function createMailTranslator(): (locale: Locale) => TFunction {
  const instance = i18next.createInstance();
  void instance.init({
    resources: Object.fromEntries(Object.entries(mailCatalogues).map(([locale, catalogue]) => [locale, { mail: catalogue }])),
    ns: ['mail'],
    defaultNS: 'mail',
    lng: 'en',
    fallbackLng: false,
    initAsync: false,
    interpolation: { escapeValue: false },
    returnNull: false,
  });
  return (locale) => instance.getFixedT(locale, 'mail');
}
