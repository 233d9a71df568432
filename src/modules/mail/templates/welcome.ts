import { Type } from '@sinclair/typebox';
import { lazyRequire } from '../../../shared/lazy-require.ts';
import { defineTemplate, displayNameParam, footer, greeting, linkParams, strict, validity } from './template.ts';

const qrcode = lazyRequire<typeof import('qrcode')>('qrcode');

const QR_CID = 'provisioning-qr@mail';

/**
 * Sent when the extension goes live: a provisioning link (never the SIP secret itself) as a button and as an
 * inline QR code (a CID attachment, since most mail clients block images from the web), and the steps on the
 * phone. The QR holds exactly the link, drawn when the mail is sent, so the queue stores only the link.
 */
export const welcome = defineTemplate({
  params: strict({ ...linkParams, ...displayNameParam, extension: Type.String({ pattern: '^[0-9]{2,10}$' }) }),
  render: async (params, context) => {
    const { t, serviceName } = context;
    const qr = await qrcode().toBuffer(params.url, { type: 'png', errorCorrectionLevel: 'M', margin: 2, width: 480 });
    return {
      subject: t('welcome.subject', { serviceName, extension: params.extension }),
      greeting: greeting(context, params.displayName),
      paragraphs: [t('welcome.intro', { extension: params.extension })],
      steps: [t('welcome.step1'), t('welcome.step2'), t('welcome.step3')],
      image: { cid: QR_CID, alt: t('welcome.qrAlt') },
      action: { label: t('welcome.action'), url: params.url, fallback: t('common.linkFallback') },
      after: [validity(context, params.validForMinutes), t('welcome.again', { serviceName })],
      footer: footer(context),
      attachments: [{ filename: 'qr-code.png', content: qr, contentType: 'image/png', cid: QR_CID }],
    };
  },
});
