import { lazyRequire } from '../../../shared/lazy-require.ts';

const qrcode = lazyRequire<typeof import('qrcode')>('qrcode');

// M survives a smudged or partly covered screen at a modest size cost; a 4-module quiet zone is what the
// QR specification requires for reliable scanning; 8 px per module stays sharp on phone and laptop screens.
const QR_OPTIONS = { errorCorrectionLevel: 'M', margin: 4, scale: 8 } as const;

/** A PNG image of the QR code for `text` (UTF-8 in byte mode). */
export function renderQrPng(text: string): Promise<Buffer> {
  return qrcode().toBuffer(text, { ...QR_OPTIONS, type: 'png' });
}

/** A standalone SVG document of the QR code for `text`. */
export function renderQrSvg(text: string): Promise<string> {
  return qrcode().toString(text, { ...QR_OPTIONS, type: 'svg' });
}
