import jsQRModule from 'jsqr';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { renderQrPng, renderQrSvg } from '../../src/modules/provisioning/formats/qr.ts';
import { runXmllint } from '../support/xmllint.ts';

// jsqr is CommonJS typed as an ES module: under NodeNext its default import is `module.exports`.
const jsQR = jsQRModule.default;

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function decodeQrPng(png: Buffer): string | undefined {
  const image = PNG.sync.read(png);
  return jsQR(new Uint8ClampedArray(image.data), image.width, image.height)?.data;
}

describe('renderQrPng', () => {
  it('renders a PNG that decodes back to the provisioning URL', async () => {
    const url = 'https://voip.example.com/provisioning/3q2-7_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789';
    const png = await renderQrPng(url);

    expect(png.subarray(0, 8)).toEqual(PNG_SIGNATURE);
    expect(decodeQrPng(png)).toBe(url);
  });

  it('carries a JSON payload with quotes and non-ASCII text intact', async () => {
    const payload = 'scloc:{"sipaccounts":[{"sipusername":"1001","sippassword":"p\\"w é 東京"}]}';

    expect(decodeQrPng(await renderQrPng(payload))).toBe(payload);
  });
});

describe('renderQrSvg', () => {
  it('renders a well-formed SVG document that draws the code as a path', async () => {
    const svg = await renderQrSvg('sip:1001@pbx.example.com');
    const result = await runXmllint(['--noout'], svg);

    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect(svg).toMatch(/<path [^>]*d="M/);
  });
});
