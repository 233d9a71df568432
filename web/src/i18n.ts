// The page's words come from the same message catalogues as the service's own pages and mails
// (src/modules/pages/locales), with i18next's {{name}} placeholders; a few lines here stand in for i18next,
// which would weigh more than the whole page.
import { useEffect, useState } from 'preact/hooks';
import en from '../../src/modules/pages/locales/en.json';
import es from '../../src/modules/pages/locales/es.json';

export type Locale = 'en' | 'es';
export const LOCALES: readonly Locale[] = ['en', 'es'];
/** Each language's own name, as the switch shows it. */
export const LOCALE_NAMES: Record<Locale, string> = { en: 'English', es: 'Español' };

type Catalogue = typeof en;
const catalogues: Record<Locale, Catalogue> = { en, es };

let current: Locale = 'en';
const listeners = new Set<(locale: Locale) => void>();

export const isLocale = (value: unknown): value is Locale => LOCALES.includes(value as Locale);
export const locale = (): Locale => current;

/** Switches the page's language (and the document's `lang`, which screen readers follow). */
export function setLocale(next: Locale): void {
  current = next;
  document.documentElement.lang = next;
  for (const listener of listeners) listener(next);
}

/** `section.key` from the catalogue of the current language, its {{placeholders}} filled in. */
export function t(key: string, values: Record<string, string | number> = {}): string {
  const [section = '', name = ''] = key.split('.');
  const text = (catalogues[current] as unknown as Record<string, Record<string, string>>)[section]?.[name];
  if (text === undefined) return key;
  return text.replace(/\{\{\s*(\w+)\s*\}\}/g, (_match, placeholder: string) => String(values[placeholder] ?? ''));
}

/** Whether the catalogue has `section.key` (problem codes the page has no words for fall back to the API's detail). */
export const hasText = (key: string): boolean => t(key) !== key;

/** Re-renders the component when the language changes; returns the current one. */
export function useLocale(): Locale {
  const [value, setValue] = useState(current);
  useEffect(() => {
    listeners.add(setValue);
    return () => void listeners.delete(setValue);
  }, []);
  return value;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
/** A date and time in the current language, e.g. "1 Dec 2026, 15:04". */
export function formatTime(iso: string): string {
  const key = current;
  if (!formatters.has(key)) formatters.set(key, new Intl.DateTimeFormat(key, { dateStyle: 'medium', timeStyle: 'short' }));
  return formatters.get(key)!.format(new Date(iso));
}
