import { toSupportedLocale, type Locale } from './locale.ts';

/**
 * The supported locale an Accept-Language header prefers most (RFC 9110 §12.5.4: by q-value, ties in the
 * order given; `q=0` means "not this one"), or undefined when it names none we have.
 */
export function preferredLocale(header: string | undefined): Locale | undefined {
  if (!header) return undefined;
  const ranges = header
    .split(',')
    .slice(0, 50)
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((param) => /^\s*q\s*=\s*([01](?:\.\d{0,3})?)\s*$/i.exec(param)?.[1]).find((value) => value !== undefined);
      return { locale: toSupportedLocale(tag), q: q === undefined ? 1 : Number(q), index };
    })
    .filter((range): range is { locale: Locale; q: number; index: number } => range.locale !== undefined && range.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  return ranges[0]?.locale;
}

/** The locale a person asked for, else the one their browser prefers, else the operator's default. */
export function chooseLocale({ asked, acceptLanguage, fallback }: { asked?: string | null; acceptLanguage?: string; fallback: Locale }): Locale {
  return toSupportedLocale(asked) ?? preferredLocale(acceptLanguage) ?? fallback;
}
