import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import jsQRModule from 'jsqr';
import { PNG } from 'pngjs';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { requireProgram } from './processes.ts';

// jsqr is CommonJS typed as an ES module: under NodeNext its default import is `module.exports`.
const jsQR = jsQRModule.default;

const ROOT = path.resolve(import.meta.dirname, '../../..');
/** Screenshots of the web page tests: test-results/ is not committed (.gitignore). */
export const SCREENSHOTS = path.join(ROOT, 'test-results/web');
const AXE = fs.readFileSync(path.join(ROOT, 'node_modules/axe-core/axe.min.js'), 'utf8');

/** Debian's Chromium, headless, with the flags the other browser suite uses. */
export async function launchChromium(): Promise<Browser> {
  const executablePath = requireProgram('chromium', 'chromium');
  return chromium.launch({
    executablePath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** What went wrong in the page while a test drove it: script errors, CSP refusals, console errors, unexpected 4xx/5xx. */
export interface Watched {
  page: Page;
  readonly problems: string[];
  /** Every JavaScript and CSS response: its URL and the bytes that came over the wire (headers and encoded body). */
  assets: { url: string; transferred: number }[];
}

/**
 * A page that records its problems. `expectedStatus` tells which API answers from 400 up are part of the
 * journey (the first refresh without a cookie is a 401; the admin probe of a non-admin a 403): Chromium logs
 * each as a console error ("Failed to load resource: … status of 401"), which is then not counted; any other is.
 */
export async function watchedPage(context: BrowserContext, expectedStatus: (path: string, status: number) => boolean): Promise<Watched> {
  const page = await context.newPage();
  const unexpected: string[] = [];
  const expected = new Set<string>();
  const consoleErrors: string[] = [];
  const assets: Watched['assets'] = [];
  page.on('pageerror', (error) => unexpected.push(`page error: ${error.message}`));
  page.on('console', (message) => message.type() === 'error' && consoleErrors.push(message.text()));
  page.on('response', (response) => {
    const url = response.url();
    if (response.status() >= 400) {
      if (expectedStatus(new URL(url).pathname, response.status())) expected.add(String(response.status()));
      else unexpected.push(`${response.status()} ${url}`);
    }
    const type = response.request().resourceType();
    if (type === 'script' || type === 'stylesheet') {
      void response.request().sizes().then((sizes) => assets.push({ url, transferred: sizes.responseHeadersSize + sizes.responseBodySize }));
    }
  });
  return {
    page,
    assets,
    get problems() {
      const logged = consoleErrors.filter((text) => !expected.has(/status of (\d{3})/.exec(text)?.[1] ?? '')).map((text) => `console: ${text}`);
      return [...unexpected, ...logged];
    },
  };
}

/**
 * axe-core's violations of impact serious or critical on the page as it is now. The script is put in through
 * the DevTools protocol (page.evaluate), which the page's CSP does not govern; an inline <script> (addScriptTag)
 * is refused by that CSP, as it should be.
 */
export async function seriousAxeViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: Document): Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: unknown[] }[] }[] }> } }).axe;
    const result = await axe.run(document);
    return result.violations.map((violation) => ({ id: violation.id, impact: violation.impact, help: violation.help, targets: violation.nodes.map((node) => JSON.stringify(node.target)) }));
  });
  return violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical').map((violation) => `${violation.id} (${violation.impact}): ${violation.help} at ${violation.targets.join(', ')}`);
}

/** Nothing wider than the viewport: no sideways scrolling on a phone. */
export async function expectNoSidewaysScroll(page: Page): Promise<void> {
  const widths = await page.evaluate(() => ({ content: document.documentElement.scrollWidth, viewport: document.documentElement.clientWidth }));
  expect(widths.content, 'page width').toBeLessThanOrEqual(widths.viewport);
}

/** The text of the QR code in a screenshot of `element` (pngjs decodes the PNG, jsQR reads the code). */
export async function readQrCode(element: Locator): Promise<string> {
  const png = PNG.sync.read(await element.screenshot());
  const code = jsQR(new Uint8ClampedArray(png.data.buffer, png.data.byteOffset, png.data.length), png.width, png.height);
  if (!code) throw new Error('no QR code could be read from the screenshot');
  return code.data;
}

export const screenshot = (page: Page, name: string) => page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });

/**
 * GET `url` as Linphone fetches its remote configuration: a liblinphone User-Agent, and no Accept header
 * (node:http adds none; fetch would send `Accept: *\/*`).
 */
export function fetchAsLinphone(url: string): Promise<{ status: number; contentType: string; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { headers: { 'user-agent': 'Linphone/5.2.6 (laptop) Ubuntu/22.04 Qt/5.15.3 LinphoneSDK/5.3.47' } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, contentType: String(response.headers['content-type'] ?? ''), body: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', reject);
    });
    request.on('error', reject);
  });
}
