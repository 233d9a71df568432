import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { requireProgram } from './support/processes.ts';
import { signUpOverHttp, startListeningService, type ListeningService } from './support/listening-service.ts';

// Pages a person opens (the provisioning help page, the API documentation) rendered by a real headless Chromium, under the service's own
// Content-Security-Policy (Playwright gives the browser a fresh temporary profile): a CSP that blocked Swagger UI or ReDoc would leave a blank page.
let service: ListeningService;
let browser: Browser;

beforeAll(async () => {
  const executablePath = requireProgram('chromium', 'chromium');
  service = await startListeningService({});
  browser = await chromium.launch({
    executablePath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});
afterAll(async () => {
  await browser?.close();
  await service?.close();
});

async function openWatchingErrors(url: string): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    // ReDoc's sidebar always tries Redocly's logo from their CDN; our CSP blocks it (nothing leaves the
    // machine) and ReDoc hides the image. Any other error counts.
    if (message.type() === 'error' && !message.text().includes('cdn.redoc.ly/redoc/logo-mini.svg')) problems.push(message.text());
  });
  page.on('response', (response) => response.status() >= 400 && problems.push(`${response.status()} ${response.url()}`));
  page.on('pageerror', (error) => problems.push(error.message));
  page.on('requestfailed', (request) => {
    if (!request.url().startsWith('https://cdn.redoc.ly/redoc/logo-mini.svg')) problems.push(`${request.url()} ${request.failure()?.errorText}`);
  });
  await page.goto(url);
  return { page, problems };
}

describe('a provisioning link opened in a browser', () => {
  it('shows the instructions with a QR code that renders, and does not use the link up', async () => {
    const user = await signUpOverHttp(service.baseUrl);
    const created = await fetch(`${service.baseUrl}/sip/provisioning-links`, { method: 'POST', headers: { authorization: `Bearer ${user.token}` } });
    const token = new URL(((await created.json()) as { url: string }).url).pathname.split('/').pop()!;
    const { page, problems } = await openWatchingErrors(`${service.baseUrl}/provisioning/${token}`);
    await page.waitForSelector('h1');
    expect(await page.textContent('h1')).toBe('Set up your softphone');
    const qr = page.locator('img[alt="QR code of the provisioning address"]');
    await expect.poll(() => qr.evaluate((image: HTMLImageElement) => image.complete && image.naturalWidth > 0)).toBe(true);
    expect(problems).toEqual([]);
    await page.close();
    // What Linphone does afterwards still works: the browser's visit did not burn the link.
    const linphone = await fetch(`${service.baseUrl}/provisioning/${token}`, { headers: { 'x-linphone-provisioning': '1' } });
    expect(linphone.status).toBe(200);
    expect(await linphone.text()).toContain(user.registration.body.sip_extension);
  });
});

describe('the provisioning help page on a phone-sized screen (400 px)', () => {
  it('has nothing wider than the screen, and its copy button copies the address', async () => {
    const user = await signUpOverHttp(service.baseUrl);
    const created = await fetch(`${service.baseUrl}/sip/provisioning-links`, { method: 'POST', headers: { authorization: `Bearer ${user.token}` } });
    // The address the page shows and copies is the public link (PUBLIC_BASE_URL); the browser opens it here.
    const url = ((await created.json()) as { url: string }).url;
    const here = `${service.baseUrl}${new URL(url).pathname}`;
    const context = await browser.newContext({ viewport: { width: 400, height: 800 }, permissions: ['clipboard-read', 'clipboard-write'] });
    try {
      const page = await context.newPage();
      const problems: string[] = [];
      page.on('console', (message) => message.type() === 'error' && problems.push(message.text()));
      page.on('pageerror', (error) => problems.push(error.message));
      page.on('response', (response) => response.status() >= 400 && problems.push(`${response.status()} ${response.url()}`));
      await page.goto(here);
      await page.waitForSelector('h1');

      // No horizontal scrolling: the page, and the address itself, fit the 400 px viewport.
      const widths = await page.evaluate(() => {
        const address = document.getElementById('provisioning-address')!;
        return {
          page: document.documentElement.scrollWidth,
          viewport: document.documentElement.clientWidth,
          addressRight: address.getBoundingClientRect().right,
          addressContent: address.scrollWidth,
          addressBox: address.clientWidth,
        };
      });
      expect(widths.viewport).toBeLessThanOrEqual(400);
      expect(widths.page).toBeLessThanOrEqual(widths.viewport);
      expect(widths.addressRight).toBeLessThanOrEqual(widths.viewport);
      // The address wraps inside its box rather than running out of it.
      expect(widths.addressContent).toBeLessThanOrEqual(widths.addressBox);
      expect(await page.textContent('#provisioning-address')).toBe(url);

      const button = page.getByRole('button', { name: 'Copy address' });
      await expect.poll(() => button.isVisible()).toBe(true);
      await button.click();
      await expect.poll(() => page.textContent('#copy-status')).toBe('Copied');
      expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(url);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
    // Neither the page nor its script used the link up.
    expect((await fetch(here, { headers: { 'x-linphone-provisioning': '1' } })).status).toBe(200);
  });
});

describe('API documentation in a browser', () => {
  it('Swagger UI at /docs renders every route and the Authorize button, with no CSP violation', async () => {
    const { page, problems } = await openWatchingErrors(`${service.baseUrl}/docs`);
    await page.waitForSelector('.swagger-ui .info .title', { timeout: 20_000 });
    expect(await page.textContent('.swagger-ui .info .title')).toContain('voip-onboarding-api');
    expect(await page.locator('.opblock-summary-path', { hasText: '/sip/credentials' }).count()).toBeGreaterThan(0);
    expect(await page.locator('button.authorize').count()).toBe(1);
    await page.screenshot({ path: path.join(os.tmpdir(), 'voip-onboarding-docs.png') });
    expect(problems).toEqual([]);
    await page.close();
  });

  it('the Authorize button logs in with the OAuth2 password form and "Try it out" then fetches the SIP credentials', async () => {
    const user = await signUpOverHttp(service.baseUrl);
    const { page, problems } = await openWatchingErrors(`${service.baseUrl}/docs`);
    await page.click('button.authorize');
    await page.fill('#oauth_username', user.email);
    await page.fill('#oauth_password', user.password);
    await page.click('.auth-container button.authorize');
    await page.locator('.auth-container button', { hasText: 'Logout' }).waitFor({ timeout: 10_000 });
    await page.locator('.auth-container button', { hasText: 'Close' }).click();

    const operation = page.locator('.opblock', { has: page.locator('.opblock-summary-path', { hasText: /^\/sip\/credentials$/ }) }).first();
    await operation.locator('.opblock-summary').click();
    await operation.locator('button.try-out__btn').click();
    await operation.locator('button.execute').click();
    await operation.locator('.live-responses-table tbody .response-col_status').first().waitFor({ timeout: 10_000 });
    expect((await operation.locator('.live-responses-table tbody .response-col_status').first().textContent())?.trim()).toBe('200');
    expect(await operation.locator('.live-responses-table .microlight').first().textContent()).toContain(user.registration.body.sip_extension);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('ReDoc at /redoc renders the API from the service\'s own script, with no CSP violation', async () => {
    const { page, problems } = await openWatchingErrors(`${service.baseUrl}/redoc`);
    await page.waitForSelector('h1', { timeout: 20_000 });
    expect(await page.textContent('h1')).toContain('voip-onboarding-api');
    expect(await page.getByText('/auth/register').count()).toBeGreaterThan(0);
    expect(problems).toEqual([]);
    await page.close();
  });
});
