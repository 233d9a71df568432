import type { Locale } from '../../shared/locale.ts';
import { escapeHtml } from '../mail/templates/layout.ts';

/** A plain HTML form: no script (the CSP allows none inline), so it works in any browser and scanners cannot submit it. */
export interface PageForm {
  /** Relative to the page's own URL, so the service works behind a proxy that adds a path prefix. */
  action: string;
  hidden: Record<string, string>;
  password?: { name: string; label: string; hint: string; minLength: number; maxLength: number };
  button: string;
}

export interface Page {
  locale: Locale;
  serviceName: string;
  title: string;
  paragraphs: string[];
  /** Shown above the form, marked as an alert for screen readers. */
  error?: string;
  form?: PageForm;
  /** A link on to the web page (relative to this page's URL, like the form's action). */
  link?: { href: string; text: string };
}

const STYLE = `body{margin:0;padding:24px;background:#f4f5f7;font-family:-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif;color:#1d2330}
main{max-width:480px;margin:0 auto;background:#fff;border-radius:8px;padding:32px;line-height:1.5}
label{display:block;font-weight:600;margin-top:16px}input[type=password]{width:100%;box-sizing:border-box;padding:10px;margin:6px 0;font-size:16px}
button{background:#1f6feb;color:#fff;border:0;border-radius:6px;padding:12px 20px;font-size:16px;font-weight:600;cursor:pointer;margin-top:12px}
.small{font-size:13px;color:#5b6475}.error{color:#b42318;font-weight:600}`;

function renderForm(form: PageForm): string {
  const hidden = Object.entries(form.hidden).map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`);
  const password = form.password
    ? [
        `<label for="${escapeHtml(form.password.name)}">${escapeHtml(form.password.label)}</label>`,
        `<input type="password" id="${escapeHtml(form.password.name)}" name="${escapeHtml(form.password.name)}" autocomplete="new-password" required minlength="${form.password.minLength}" maxlength="${form.password.maxLength}">`,
        `<p class="small">${escapeHtml(form.password.hint)}</p>`,
      ]
    : [];
  return [`<form method="post" action="${escapeHtml(form.action)}">`, ...hidden, ...password, `<button type="submit">${escapeHtml(form.button)}</button>`, '</form>'].join('\n');
}

/** The small pages a person opens from a mailed link: every string escaped, no script, nothing fetched. */
export function renderPage(page: Page): string {
  return `<!doctype html>
<html lang="${page.locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>${escapeHtml(`${page.title} · ${page.serviceName}`)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<h1>${escapeHtml(page.title)}</h1>
${page.paragraphs.map((paragraph) => `<p>${escapeHtml(paragraph)}</p>`).join('\n')}
${page.error ? `<p class="error" role="alert">${escapeHtml(page.error)}</p>` : ''}
${page.form ? renderForm(page.form) : ''}
${page.link ? `<p><a href="${escapeHtml(page.link.href)}">${escapeHtml(page.link.text)}</a></p>` : ''}
<p class="small">${escapeHtml(page.serviceName)}</p>
</main>
</body>
</html>
`;
}
