import { escapeXmlAttribute, escapeXmlText } from './formats/xml-text.ts';

/**
 * What a browser, an e-mail link scanner or a chat preview gets for a provisioning link: instructions and
 * the QR code, never the configuration, and the link is not used up.
 */
export function renderScanPage({ url, qrSvgPath }: { url: string; qrSvgPath: string }): string {
  const deepLink = `linphone-config:${url}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>Set up your softphone</title>
</head>
<body>
<h1>Set up your softphone</h1>
<p>This link sets up the Linphone app with your phone account, once. Opening this page has not used it up.</p>
<ol>
<li>Install Linphone on your phone.</li>
<li>In Linphone, open the Assistant and choose <strong>Fetch remote configuration</strong>.</li>
<li>Scan this QR code, or type the address below.</li>
</ol>
<p><img src="${escapeXmlAttribute(qrSvgPath)}" width="264" height="264" alt="QR code of the provisioning address"></p>
<p><code>${escapeXmlText(url)}</code></p>
<p>Reading this on the phone itself? <a href="${escapeXmlAttribute(deepLink)}">Open it in Linphone</a>.</p>
</body>
</html>
`;
}
