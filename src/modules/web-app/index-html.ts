import type { Locale } from '../../shared/locale.ts';
import { escapeHtml } from '../mail/templates/layout.ts';
import { createPageTranslator } from '../pages/page-i18n.ts';
import type { WebAssets } from './web-assets.ts';

const translator = createPageTranslator();

/** What the page's script needs from the service before its first request, handed over in data attributes. */
export interface PageSettings {
  serviceName: string;
  /** PUBLIC_BASE_URL's path with a trailing slash: every URL of the page and of its API calls is relative to it. */
  basePath: string;
  defaultLocale: Locale;
  passwordLength: { min: number; max: number };
}

/**
 * The one HTML document of the web page, for every route of it (`/`, `/app/…`). No inline script (the CSP
 * allows none): the settings travel in data attributes of the mount point, read by the page's script. The
 * `<base>` makes the hashed asset names and the API paths relative to PUBLIC_BASE_URL, so the page works at
 * any depth of /app/… and behind a proxy's path prefix. Until the script runs, it says it is loading.
 */
export function renderIndexHtml({ settings, manifest, locale }: { settings: PageSettings; manifest: WebAssets['manifest']; locale: Locale }): string {
  const t = translator(locale);
  const attribute = (value: string | number) => escapeHtml(String(value));
  return `<!doctype html>
<html lang="${locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<base href="${attribute(settings.basePath)}">
<title>${escapeHtml(settings.serviceName)}</title>
<link rel="stylesheet" href="app/assets/${attribute(manifest.style)}">
<script type="module" src="app/assets/${attribute(manifest.script)}"></script>
</head>
<body>
<div id="app" data-locale="${locale}" data-default-locale="${settings.defaultLocale}" data-service-name="${attribute(settings.serviceName)}" data-password-min="${settings.passwordLength.min}" data-password-max="${settings.passwordLength.max}">
<main class="loading"><p>${escapeHtml(t('app.loading'))}</p></main>
</div>
<noscript><p>${escapeHtml(t('app.noScript'))}</p></noscript>
</body>
</html>
`;
}
