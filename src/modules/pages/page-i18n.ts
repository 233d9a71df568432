import i18next, { type TFunction } from 'i18next';
import type { Locale } from '../../shared/locale.ts';
import en from './locales/en.json' with { type: 'json' };
import es from './locales/es.json' with { type: 'json' };

/** The page message catalogues, one per supported locale (a test proves they hold the same keys). */
export const pageCatalogues: Record<Locale, Record<string, Record<string, string>>> = { en, es };

/**
 * An i18next instance of its own, initialised synchronously from the bundled catalogues, as the mail module
 * does. Values are not escaped here: the page layout escapes every string on its way into the HTML.
 */
export function createPageTranslator(): (locale: Locale) => TFunction {
  const instance = i18next.createInstance();
  void instance.init({
    resources: Object.fromEntries(Object.entries(pageCatalogues).map(([locale, catalogue]) => [locale, { pages: catalogue }])),
    ns: ['pages'],
    defaultNS: 'pages',
    lng: 'en',
    fallbackLng: false,
    initAsync: false,
    interpolation: { escapeValue: false },
    returnNull: false,
  });
  return (locale) => instance.getFixedT(locale, 'pages');
}
