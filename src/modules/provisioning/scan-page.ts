import type { Locale } from '../../shared/locale.ts';
import { createPageTranslator } from '../pages/page-i18n.ts';
import { escapeXmlAttribute, escapeXmlText } from './formats/xml-text.ts';

const translator = createPageTranslator();

/** Where the page's script is served, relative to the page (`/provisioning/{token}`), so a path prefix in front still works. */
export const SCAN_PAGE_SCRIPT_PATH = 'copy-link.js';

// Fits a phone: nothing wider than the screen (the address breaks anywhere, it has no spaces), the QR code
// shrinks on a very narrow one. Inline styles are allowed by the CSP ('unsafe-inline' in style-src); inline
// scripts are not, hence the script file.
const STYLE = `body{margin:0;padding:16px;background:#f4f5f7;font-family:-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif;color:#1d2330;line-height:1.5}
main{max-width:560px;margin:0 auto;background:#fff;border-radius:8px;padding:20px 24px}
h1{font-size:1.5em;margin:0 0 12px}ol{padding-left:1.4em}
img{display:block;max-width:100%;height:auto;margin:0 auto}
.address{display:block;overflow-wrap:anywhere;word-break:break-all;background:#f4f5f7;border-radius:6px;padding:10px 12px;font-size:14px}
button{background:#1f6feb;color:#fff;border:0;border-radius:6px;padding:10px 18px;font-size:16px;font-weight:600;cursor:pointer;margin-top:10px}
.status{margin-left:10px;color:#1a7f37}`;

/**
 * What a browser, an e-mail link scanner or a chat preview gets for a provisioning link: instructions and
 * the QR code, never the configuration, and the link is not used up; in the language of the link's user
 * (else the browser's, else DEFAULT_LOCALE). The copy button is shown by the page's
 * script (SCAN_PAGE_SCRIPT), so a browser without scripts shows none that does nothing.
 */
export function renderScanPage({ url, qrSvgPath, locale }: { url: string; qrSvgPath: string; locale: Locale }): string {
  const deepLink = `linphone-config:${url}`;
  const t = translator(locale);
  const text = (key: string) => escapeXmlText(t(`provisioning.${key}`));
  const attribute = (key: string) => escapeXmlAttribute(t(`provisioning.${key}`));
  return `<!doctype html>
<html lang="${locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>${text('title')}</title>
<style>${STYLE}</style>
<script src="${SCAN_PAGE_SCRIPT_PATH}" defer></script>
</head>
<body>
<main>
<h1>${text('title')}</h1>
<p>${text('intro')}</p>
<ol>
<li>${text('step1')}</li>
<li>${text('step2')}</li>
<li>${text('step3')}</li>
</ol>
<p><img src="${escapeXmlAttribute(qrSvgPath)}" width="264" height="264" alt="${attribute('qrAlt')}"></p>
<p><code class="address" id="provisioning-address">${escapeXmlText(url)}</code>
<button type="button" id="copy-address" data-copy="${escapeXmlAttribute(url)}" data-copied="${attribute('copied')}" data-selected="${attribute('selected')}" hidden>${text('copy')}</button><span class="status" id="copy-status" role="status"></span></p>
<p>${text('onPhone')} <a href="${escapeXmlAttribute(deepLink)}">${text('openInLinphone')}</a>.</p>
</main>
</body>
</html>
`;
}

/**
 * The page's one script: shows the copy button and copies the address with the Clipboard API, or, where that
 * is missing (a page over plain http is not a secure context), by selecting it for the browser's own copy.
 */
export const SCAN_PAGE_SCRIPT = `'use strict';
document.addEventListener('DOMContentLoaded', function () {
  var button = document.getElementById('copy-address');
  var address = document.getElementById('provisioning-address');
  var status = document.getElementById('copy-status');
  if (!button || !address || !status) return;
  var done = function (text) { status.textContent = text; };
  var selectAddress = function () {
    var range = document.createRange();
    range.selectNodeContents(address);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    return selection;
  };
  var copiedText = button.getAttribute('data-copied') || 'Copied';
  var selectedText = button.getAttribute('data-selected') || 'Selected: copy it now';
  button.hidden = false;
  button.addEventListener('click', function () {
    var text = button.getAttribute('data-copy') || '';
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(text).then(function () { done(copiedText); }, function () { selectAddress(); done(selectedText); });
      return;
    }
    selectAddress();
    var copied = false;
    try { copied = document.execCommand('copy'); } catch (error) { copied = false; }
    done(copied ? copiedText : selectedText);
  });
});
`;
