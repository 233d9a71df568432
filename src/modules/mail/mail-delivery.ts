import { decryptSecret } from '../../shared/crypto.ts';
import { toSupportedLocale } from '../../shared/locale.ts';
import type { MailPayload } from './mail-queue.ts';
import type { OutgoingMailRow } from './mail.table.ts';
import type { MailTransport, OutgoingMessage } from './mail-transport.ts';
import type { MailRenderer } from './render-mail.ts';
import { PermanentMailError } from './send-errors.ts';
import { isMailTemplateName } from './templates/index.ts';

export type MailSender = { name: string; address: string } | string;

/** The sender: MAIL_FROM, else SERVICE_NAME <no-reply@the PUBLIC_BASE_URL host>. */
export function mailSender({ mailFrom, serviceName, publicBaseUrl }: { mailFrom: string | undefined; serviceName: string; publicBaseUrl: string }): MailSender {
  return mailFrom ?? { name: serviceName, address: `no-reply@${new URL(publicBaseUrl).hostname}` };
}

/** Opens a claimed mail's sealed payload, renders its template and hands it to the transport. */
export function createMailDelivery({ encryptionKey, render, transport, from }: {
  encryptionKey: Buffer;
  render: MailRenderer;
  transport: MailTransport;
  from: MailSender;
}) {
  const address = typeof from === 'string' ? from : from.address;
  const domain = /@([^>\s]+)>?$/.exec(address)?.[1] ?? 'localhost';

  return async function deliver(mail: OutgoingMailRow): Promise<void> {
    let payload: MailPayload;
    try {
      payload = JSON.parse(decryptSecret(encryptionKey, mail.payloadCiphertext ?? '')) as MailPayload;
    } catch {
      throw new PermanentMailError('payload_unreadable');
    }
    const locale = toSupportedLocale(mail.locale);
    if (!isMailTemplateName(mail.template) || !locale) throw new PermanentMailError('unknown_template');
    let rendered;
    try {
      rendered = await render(mail.template, locale, payload.params as never);
    } catch {
      throw new PermanentMailError('render_failed');
    }
    const message: OutgoingMessage = {
      from,
      to: payload.to,
      subject: rendered.subject,
      text: rendered.text,
      html: rendered.html,
      attachments: rendered.attachments,
      // The mail's own id: a mail sent twice after a crash is recognisably the same message.
      messageId: `<${mail.id}@${domain}>`,
      headers: { 'Auto-Submitted': 'auto-generated', 'Content-Language': locale },
    };
    await transport.send({ id: mail.id, createdAt: mail.createdAt, message });
  };
}

export type MailDelivery = ReturnType<typeof createMailDelivery>;
