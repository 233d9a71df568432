import { describe, expect, it } from 'vitest';
import { SUPPORTED_LOCALES } from '../../shared/locale.ts';
import { mailCatalogues } from './mail-i18n.ts';
import { createMailRenderer } from './render-mail.ts';
import { mailTemplates, type MailTemplateName } from './templates/index.ts';

/** A key i18next could not find comes back as the key itself, e.g. `welcome.step1`. */
const KEY_LEFT = new RegExp(`\\b(common|${Object.keys(mailTemplates).join('|')})\\.[a-zA-Z]`);
const PLURAL = /_(zero|one|two|few|many|other)$/;

/** `section.key` of every string, with plural forms folded into their base key. */
function keysOf(catalogue: Record<string, Record<string, string>>): string[] {
  return [...new Set(Object.entries(catalogue).flatMap(([section, strings]) => Object.keys(strings).map((key) => `${section}.${key.replace(PLURAL, '')}`)))].sort();
}

const token = 'TOKEN_abcdefghijklmnopqrstuvwxyz0123456789';
const base = 'https://voip.example.com';
/** Parameters for every template, each with an HTML-hostile display name. */
const samples: { [N in MailTemplateName]: unknown } = {
  'verify-email': { url: `${base}/auth/verify-email?token=${token}`, validForMinutes: 1440, displayName: 'Ana <script>alert(1)</script> & "Co"' },
  'reset-password': { url: `${base}/auth/reset-password?token=${token}`, validForMinutes: 30, displayName: 'Ana <script>alert(1)</script> & "Co"' },
  'password-changed': { displayName: 'Ana <script>alert(1)</script> & "Co"' },
  'account-deleted': { displayName: 'Ana <script>alert(1)</script> & "Co"' },
  welcome: { url: `${base}/provisioning/${token}`, validForMinutes: 1440, extension: '1001', displayName: 'Ana <script>alert(1)</script> & "Co"' },
  invitation: { url: `${base}/auth/reset-password?token=${token}`, validForMinutes: 4320, displayName: 'Ana <script>alert(1)</script> & "Co"', invitedBy: 'Bob <b>' },
};

describe('mail message catalogues', () => {
  it('hold the same keys in every language', () => {
    const english = keysOf(mailCatalogues.en);
    expect(english.length).toBeGreaterThan(30);
    for (const locale of SUPPORTED_LOCALES) expect(keysOf(mailCatalogues[locale]), locale).toEqual(english);
  });

  it('have every plural form each language needs (Spanish has "many")', () => {
    for (const locale of SUPPORTED_LOCALES) {
      const categories = new Intl.PluralRules(locale).resolvedOptions().pluralCategories;
      for (const [section, strings] of Object.entries(mailCatalogues[locale])) {
        const plurals = new Set(Object.keys(strings).filter((key) => PLURAL.test(key)).map((key) => key.replace(PLURAL, '')));
        for (const plural of plurals) for (const category of categories) expect(strings, `${locale} ${section}.${plural}`).toHaveProperty(`${plural}_${category}`);
      }
    }
  });

  it('exist for every template (subject, and its own section)', () => {
    for (const template of Object.keys(mailTemplates)) for (const locale of SUPPORTED_LOCALES) expect(mailCatalogues[locale][template]?.subject, `${locale} ${template}`).toBeTruthy();
  });
});

describe('mail templates', () => {
  const render = createMailRenderer({ serviceName: 'Acme Voice', publicBaseUrl: base });

  it('render in every language with the service name and base URL, no key and no placeholder left', async () => {
    for (const template of Object.keys(samples) as MailTemplateName[]) {
      const subjects = new Set<string>();
      for (const locale of SUPPORTED_LOCALES) {
        const mail = await render(template, locale, samples[template] as never);
        subjects.add(mail.subject);
        for (const part of [mail.subject, mail.text, mail.html]) {
          expect(part, `${template} ${locale}`).not.toMatch(/\{\{|\}\}/);
          expect(part, `${template} ${locale}: a key was not found`).not.toMatch(KEY_LEFT);
        }
        expect(mail.subject).toContain('Acme Voice');
        expect(mail.text).toContain(base);
        expect(mail.html).toContain(base);
        expect(mail.html).toMatch(/^<!doctype html>/);
      }
      expect(subjects.size, `${template}: one subject per language`).toBe(SUPPORTED_LOCALES.length);
    }
  });

  it('escape every interpolated value in HTML, and keep the text part plain', async () => {
    for (const template of Object.keys(samples) as MailTemplateName[]) {
      const mail = await render(template, 'en', samples[template] as never);
      expect(mail.html, template).not.toContain('<script>');
      expect(mail.html, template).not.toContain('<b>');
      expect(mail.html, template).toContain('Ana &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Co&quot;');
      expect(mail.text, template).toContain('Ana <script>alert(1)</script> & "Co"');
    }
  });

  it('carry the one link in the text part, as the button and in the HTML, and nothing else in the links-free notices', async () => {
    for (const template of ['verify-email', 'reset-password', 'welcome', 'invitation'] as const) {
      const mail = await render(template, 'es', samples[template] as never);
      const url = (samples[template] as { url: string }).url;
      expect(mail.text).toContain(url);
      expect(mail.html).toContain(`href="${url}"`);
    }
    for (const template of ['password-changed', 'account-deleted'] as const) {
      const mail = await render(template, 'en', samples[template] as never);
      expect(`${mail.text}${mail.html}`).not.toContain(token);
      expect(mail.html).not.toMatch(/href=/);
    }
  });

  it('attach the welcome QR code inline, referenced by its Content-ID', async () => {
    const mail = await render('welcome', 'en', samples.welcome as never);
    const [qr] = mail.attachments;
    expect(qr).toMatchObject({ contentType: 'image/png', cid: expect.any(String) });
    expect(qr!.content.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(mail.html).toContain(`src="cid:${qr!.cid}"`);
    expect(mail.text).toMatch(/1\. .*\n2\. .*\n3\. /);
  });

  it('word a validity in hours when it is whole hours, with plural forms', async () => {
    const url = `${base}/auth/reset-password?token=${token}`;
    expect((await render('reset-password', 'en', { url, validForMinutes: 30 })).text).toContain('valid for 30 minutes');
    expect((await render('reset-password', 'en', { url, validForMinutes: 60 })).text).toContain('valid for 1 hour ');
    expect((await render('verify-email', 'es', { url, validForMinutes: 1440 })).text).toContain('válido durante 24 horas');
  });
});
