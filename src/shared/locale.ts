/** The languages every mail and page a person reads exists in (message catalogues in each module's locales/). */
export const SUPPORTED_LOCALES = ['en', 'es'] as const;
export type Locale = (typeof SUPPORTED_LOCALES)[number];

/**
 * A supported locale from a language tag (`es`, `es-MX`, `EN_gb`), or undefined when the language is not one
 * we have: the caller falls back to DEFAULT_LOCALE.
 */
export function toSupportedLocale(tag: string | null | undefined): Locale | undefined {
  const language = tag?.trim().toLowerCase().split(/[-_]/)[0];
  return SUPPORTED_LOCALES.find((locale) => locale === language);
}
