import type { MailBody, RenderedMail } from './template.ts';

/** The five characters that matter in HTML text and attribute values (double-quoted). */
const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (character) => HTML_ESCAPES[character]!);
}

const STYLE = {
  body: 'margin:0;padding:24px;background:#f4f5f7;font-family:-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif;color:#1d2330;',
  card: 'max-width:560px;margin:0 auto;background:#ffffff;border-radius:8px;padding:32px;line-height:1.5;',
  button: 'display:inline-block;background:#1f6feb;color:#ffffff;text-decoration:none;padding:12px 20px;border-radius:6px;font-weight:600;',
  small: 'font-size:13px;color:#5b6475;',
};

/**
 * One layout for every mail, so each template only says what it says. Every string (catalogue text and the
 * values interpolated into it alike) is escaped on its way into the HTML part; the text part is the same
 * content as plain text, for clients that show no HTML.
 */
export function renderLayout(body: MailBody): RenderedMail {
  const text = [
    body.greeting,
    ...body.paragraphs,
    body.steps?.map((step, index) => `${index + 1}. ${step}`).join('\n'),
    body.action ? `${body.action.label}:\n${body.action.url}` : undefined,
    ...(body.after ?? []),
    // The signature separator, so mail clients fold the footer away.
    `-- \n${body.footer}`,
  ].filter((part): part is string => part !== undefined);

  const paragraph = (content: string) => `<p>${escapeHtml(content)}</p>`;
  const html = [
    '<!doctype html>',
    `<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escapeHtml(body.subject)}</title></head>`,
    `<body style="${STYLE.body}"><div style="${STYLE.card}">`,
    body.greeting ? paragraph(body.greeting) : '',
    ...body.paragraphs.map(paragraph),
    body.steps ? `<ol>${body.steps.map((step) => `<li>${escapeHtml(step)}</li>`).join('')}</ol>` : '',
    body.image ? `<p style="text-align:center"><img src="cid:${escapeHtml(body.image.cid)}" alt="${escapeHtml(body.image.alt)}" width="240" height="240"></p>` : '',
    body.action
      ? `<p style="text-align:center"><a href="${escapeHtml(body.action.url)}" style="${STYLE.button}">${escapeHtml(body.action.label)}</a></p>` +
        (body.action.fallback ? `<p style="${STYLE.small}">${escapeHtml(body.action.fallback)}<br><a href="${escapeHtml(body.action.url)}">${escapeHtml(body.action.url)}</a></p>` : '')
      : '',
    ...(body.after ?? []).map(paragraph),
    `<hr style="border:none;border-top:1px solid #e3e6eb"><p style="${STYLE.small}">${escapeHtml(body.footer)}</p>`,
    '</div></body></html>',
  ].join('\n');

  return { subject: body.subject, text: `${text.join('\n\n')}\n`, html, attachments: body.attachments ?? [] };
}
