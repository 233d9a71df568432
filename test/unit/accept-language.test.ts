import { describe, expect, it } from 'vitest';
import { parseLongDuration } from '../../src/config/config.formats.ts';
import { chooseLocale, preferredLocale } from '../../src/shared/accept-language.ts';

describe('preferredLocale (Accept-Language)', () => {
  it('takes the supported language with the highest q, ties in the order given', () => {
    expect(preferredLocale('es-MX,es;q=0.9,en;q=0.8')).toBe('es');
    expect(preferredLocale('fr-CH, fr;q=0.9, en;q=0.8, es;q=0.7')).toBe('en');
    expect(preferredLocale('en;q=0.5, es;q=0.6')).toBe('es');
    expect(preferredLocale('es, en')).toBe('es');
    expect(preferredLocale('EN-gb')).toBe('en');
  });

  it('ignores q=0, wildcards, unsupported languages and garbage', () => {
    expect(preferredLocale('es;q=0, en;q=0.1')).toBe('en');
    expect(preferredLocale('*, de')).toBeUndefined();
    expect(preferredLocale('')).toBeUndefined();
    expect(preferredLocale(undefined)).toBeUndefined();
    expect(preferredLocale(';;;,,,q=1')).toBeUndefined();
    expect(preferredLocale('es;q=abc')).toBe('es');
  });

  it('chooseLocale: the asked locale, else Accept-Language, else the fallback', () => {
    expect(chooseLocale({ asked: 'es', acceptLanguage: 'en', fallback: 'en' })).toBe('es');
    expect(chooseLocale({ asked: undefined, acceptLanguage: 'es', fallback: 'en' })).toBe('es');
    expect(chooseLocale({ asked: 'fr', acceptLanguage: 'de', fallback: 'es' })).toBe('es');
  });
});

describe('parseLongDuration (UNVERIFIED_ACCOUNT_TTL)', () => {
  it('reads seconds and s, m, h, d from 1 min to 365 days', () => {
    expect(parseLongDuration('7d')).toBe(7 * 86_400);
    expect(parseLongDuration('12h')).toBe(43_200);
    expect(parseLongDuration('60')).toBe(60);
    expect(() => parseLongDuration('59s')).toThrow(RangeError);
    expect(() => parseLongDuration('366d')).toThrow(RangeError);
    expect(() => parseLongDuration('1w')).toThrow(RangeError);
  });
});
