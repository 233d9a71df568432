import { describe, expect, it } from 'vitest';
import { SUPPORTED_LOCALES } from '../../shared/locale.ts';
import { createAccountPages } from './account-pages.ts';
import { pageCatalogues } from './page-i18n.ts';

const keysOf = (catalogue: Record<string, Record<string, string>>) =>
  Object.entries(catalogue).flatMap(([section, strings]) => Object.keys(strings).map((key) => `${section}.${key}`)).sort();

describe('page message catalogues', () => {
  it('hold the same keys in every language', () => {
    const english = keysOf(pageCatalogues.en);
    expect(english.length).toBeGreaterThan(10);
    for (const locale of SUPPORTED_LOCALES) expect(keysOf(pageCatalogues[locale]), locale).toEqual(english);
  });

  it('render every page in every language with no key or placeholder left, escaping what is interpolated', () => {
    const pages = createAccountPages({ serviceName: 'Acme <Voice>', passwordLength: { min: 8, max: 256 } });
    const email = 'ana+"x"@example.com';
    for (const locale of SUPPORTED_LOCALES) {
      const rendered = [
        pages.verifyEmail(locale, { token: 'T"<', email }),
        pages.emailVerified(locale),
        pages.resetPassword(locale, { token: 'T"<', email, error: 'tooCommon' }),
        pages.passwordChanged(locale),
        pages.invalidLink(locale, 'verify-email'),
        pages.invalidLink(locale, 'reset-password'),
      ];
      for (const html of rendered) {
        expect(html).toContain(`<html lang="${locale}">`);
        expect(html).not.toMatch(/\{\{|\}\}|(verify-email|reset-password)\.[a-zA-Z]/);
        expect(html).not.toContain('<Voice>');
        expect(html).not.toMatch(/<script/i);
      }
      expect(rendered[0]).toContain('value="T&quot;&lt;"');
      expect(rendered[0]).toContain('ana+&quot;x&quot;@example.com');
    }
  });
});
