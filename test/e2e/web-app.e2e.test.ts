import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { grantedAdmin, recordRegistration } from '../support/admin-users.ts';
import { mailsTo, onlyTokenIn } from '../support/outbox.ts';
import { GOOD_PASSWORD, registerAndLogin, uniqueEmail } from '../support/test-service.ts';
import { signUpOverHttp, startListeningService, type ListeningService } from './support/listening-service.ts';
import {
  expectNoSidewaysScroll,
  fetchAsLinphone,
  launchChromium,
  readQrCode,
  screenshot,
  SCREENSHOTS,
  seriousAxeViolations,
  watchedPage,
  type Watched,
} from './support/web-page.ts';

/**
 * The self-service web page in Debian's Chromium, against the real service (in this process, listening on a
 * port, EMAIL_VERIFICATION=required, mails to its outbox on disk): sign up → verify by the mailed link → the
 * page turns active by itself → its QR code decodes to a link that gives Linphone its XML → rotate → sign
 * out; on a desk and on a 360 px phone, with axe-core finding nothing serious, under the service's own CSP,
 * and a first load under 100 KB of JavaScript and CSS. Screenshots of each step go to test-results/web/.
 */
let service: ListeningService;
let browser: Browser;
let outbox: string;

beforeAll(async () => {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  service = await startListeningService({ EMAIL_VERIFICATION: 'required', SERVICE_NAME: 'Acme Voice' });
  outbox = service.service.deps.config.mail.outboxDir;
  browser = await launchChromium();
  // The first request builds the page from web/ (the service runs from its sources here): not part of any timing.
  expect((await fetch(`${service.baseUrl}/`)).status).toBe(200);
});
afterAll(async () => {
  await browser?.close();
  await service?.close();
});

// The only answers from 400 up a journey expects: the first refresh with no cookie yet, and the admin probe.
const journeyStatus = (path: string, status: number) => (path === '/auth/refresh' && status === 401) || (path === '/admin/users' && status === 403);

async function expectAccessible(page: Page, step: string): Promise<void> {
  expect(await seriousAxeViolations(page), `axe on ${step}`).toEqual([]);
  await expectNoSidewaysScroll(page);
}

/** Signs in on the sign-in page as a user whose password is GOOD_PASSWORD. */
async function signIn(page: Page, email: string): Promise<void> {
  await page.goto(`${service.baseUrl}/app/log-in`);
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password').fill(GOOD_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Signs an admin in and opens the administration page. */
async function openAdministration(page: Page, email: string): Promise<void> {
  await signIn(page, email);
  await page.getByRole('link', { name: 'Administration' }).click();
  await page.getByRole('heading', { level: 1, name: 'Administration' }).waitFor();
}

async function withContext<T>(viewport: { width: number; height: number }, run: (context: BrowserContext) => Promise<T>, timezoneId?: string): Promise<T> {
  const context = await browser.newContext({ viewport, locale: 'en-US', permissions: ['clipboard-read', 'clipboard-write'], ...(timezoneId ? { timezoneId } : {}) });
  try {
    return await run(context);
  } finally {
    await context.close();
  }
}

async function journey(size: 'desktop' | 'phone', viewport: { width: number; height: number }): Promise<void> {
  await withContext(viewport, async (context) => {
    const watched: Watched = await watchedPage(context, journeyStatus);
    const { page } = watched;
    const email = uniqueEmail(`web-${size}`);
    const shot = (step: string) => screenshot(page, `${size}-${step}`);

    // First load: interactive (the sign-up button there) within a second, and under 100 KB of script and style.
    // The tab has already shown a page of the service (a plain JSON one), so the browser's own start-up is not counted.
    await page.goto(`${service.baseUrl}/healthz`);
    const started = Date.now();
    await page.goto(`${service.baseUrl}/app/sign-up`);
    await page.getByRole('button', { name: 'Create my account' }).waitFor();
    const interactiveMs = Date.now() - started;
    expect(interactiveMs, 'time to an interactive page (ms)').toBeLessThan(1000);
    await expect.poll(() => watched.assets.length).toBe(2);
    expect(watched.assets.map((asset) => new URL(asset.url).pathname).sort((a, b) => Number(a.endsWith('.js')) - Number(b.endsWith('.js')))).toEqual([
      expect.stringMatching(/^\/app\/assets\/app-\w+\.css$/),
      expect.stringMatching(/^\/app\/assets\/app-\w+\.js$/),
    ]);
    const firstLoad = watched.assets.reduce((sum, asset) => sum + asset.transferred, 0);
    expect(firstLoad, 'bytes of JS and CSS transferred on the first load').toBeLessThan(100_000);
    console.log(`web page (${size}): first load ${firstLoad} bytes of JS and CSS, interactive in ${interactiveMs} ms`);
    await expectAccessible(page, 'sign-up');
    await shot('1-sign-up');

    // Sign up: the page signs in and shows the phone page, waiting for the email to be confirmed.
    await page.getByLabel('Email address').fill(email);
    await page.getByLabel('Your name (optional)').fill('Web Person');
    await page.getByLabel('Password', { exact: true }).fill(GOOD_PASSWORD);
    await page.getByRole('button', { name: 'Create my account' }).click();
    await page.getByRole('heading', { level: 1, name: 'Your phone' }).waitFor();
    await page.locator('[data-stage="verify"]').waitFor();
    await expectAccessible(page, 'verify');
    await shot('2-verify-email');

    // The session: the access token in memory, the refresh token in an HttpOnly cookie the script cannot read; no storage used.
    const cookies = await context.cookies();
    expect(cookies.map(({ name, httpOnly, sameSite, path }) => ({ name, httpOnly, sameSite, path }))).toEqual([{ name: 'refresh_token', httpOnly: true, sameSite: 'Strict', path: '/auth/refresh' }]);
    expect(await page.evaluate(() => ({ cookie: document.cookie, local: localStorage.length, session: sessionStorage.length }))).toEqual({ cookie: '', local: 0, session: 0 });

    // The mailed link opens the service's page; its button confirms the address, and it links back to the web page.
    const [mail] = await mailsTo(outbox, email, /Confirm your email address/);
    const link = `${service.baseUrl}/auth/verify-email?token=${onlyTokenIn(mail!)}`;
    const mailPage = await context.newPage();
    await mailPage.goto(link);
    await mailPage.getByRole('button', { name: 'Confirm my email address' }).click();
    await mailPage.getByRole('heading', { name: 'Email address confirmed' }).waitFor();
    await screenshot(mailPage, `${size}-3-email-confirmed`);
    expect(await mailPage.getByRole('link', { name: 'Open your phone page' }).getAttribute('href')).toBe('../');
    await mailPage.close();

    // The first page moves on by itself (it polls GET /auth/me): the extension goes live, the QR code shows.
    await page.locator('[data-stage="active"], [data-stage="registered"]').waitFor({ timeout: 20_000 });
    const qr = page.locator('#provisioning-qr');
    await expect.poll(() => qr.evaluate((image: HTMLImageElement) => image.complete && image.naturalWidth > 0), { timeout: 10_000 }).toBe(true);
    // A reload resumes the session from the cookie alone.
    await page.reload();
    await page.locator('[data-stage="active"], [data-stage="registered"]').waitFor({ timeout: 10_000 });
    await expect.poll(() => qr.evaluate((image: HTMLImageElement) => image.complete && image.naturalWidth > 0), { timeout: 10_000 }).toBe(true);
    const provisioningUrl = await readQrCode(qr);
    expect(provisioningUrl).toBe(await page.locator('#provisioning-address').textContent());
    expect(provisioningUrl).toMatch(new RegExp(`^${service.baseUrl}/provisioning/[A-Za-z0-9_-]{43}$`));
    await page.getByRole('button', { name: 'Show my credentials' }).click();
    await expect.poll(() => page.locator('#sip-secret').textContent()).toContain('(hidden)');
    await expectAccessible(page, 'your phone');
    await shot('4-your-phone');
    // Its top (status, QR code, credentials), as README shows it (docs/web-page.png is a copy of the desk's).
    await page.screenshot({ path: path.join(SCREENSHOTS, `${size}-4-your-phone-top.png`), fullPage: true, clip: { x: 0, y: 0, width: viewport.width, height: 1500 } });
    await page.getByRole('button', { name: 'Show the password' }).click();
    const secretBefore = await page.locator('#sip-secret').textContent();
    expect(secretBefore).toMatch(/^[A-Za-z0-9]{16,}$/);

    // The code's link is a working provisioning link: Linphone's fetch of it gets the XML with this account.
    const extension = (await page.locator('#credentials dd .value').first().textContent())!;
    const linphone = await fetchAsLinphone(provisioningUrl);
    expect([linphone.status, linphone.contentType]).toEqual([200, 'application/xml; charset=utf-8']);
    expect(linphone.body).toContain('<config');
    expect(linphone.body).toContain(`<entry name="username" overwrite="true">${extension}</entry>`);
    expect(linphone.body).toContain(`<entry name="passwd" overwrite="true">${secretBefore}</entry>`);

    // Rotate: a new secret, and a new QR code for a new link.
    await page.getByRole('button', { name: 'Change my SIP password' }).click();
    await page.getByRole('button', { name: 'Yes, change it' }).click();
    await page.getByText(/Your new SIP password is live/).waitFor({ timeout: 20_000 });
    await expect.poll(async () => (await page.locator('#provisioning-address').textContent()) ?? '', { timeout: 10_000 }).not.toBe(provisioningUrl);
    await expect.poll(() => qr.evaluate((image: HTMLImageElement) => image.complete && image.naturalWidth > 0), { timeout: 10_000 }).toBe(true);
    expect(await readQrCode(qr)).toBe(await page.locator('#provisioning-address').textContent());
    await page.getByRole('button', { name: 'Show my credentials' }).click();
    await page.getByRole('button', { name: 'Show the password' }).click();
    expect(await page.locator('#sip-secret').textContent()).not.toBe(secretBefore);
    // Who saw the credentials: the page itself (json) and Linphone's fetch of the link.
    await page.getByRole('button', { name: 'Refresh the list' }).click();
    await expect.poll(() => page.locator('#access-log').textContent()).toContain('provisioning_link');
    await shot('5-rotated');

    // Sign out: the cookie is gone, and a reload stays signed out.
    await page.getByRole('button', { name: 'Sign out', exact: true }).first().click();
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    await page.getByText('You are signed out.').waitFor();
    expect(await context.cookies()).toEqual([]);
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    await expectAccessible(page, 'signed out');
    await shot('6-signed-out');
    expect(watched.problems).toEqual([]);
  });
}

describe('the web page, sign-up to a scanned QR code', () => {
  it('on a desk (1280 px): sign up, verify by the mail, active, QR code to a working link, rotate, sign out', async () => {
    await journey('desktop', { width: 1280, height: 900 });
  });

  it('on a 360 px phone: the same, with nothing wider than the screen', async () => {
    await journey('phone', { width: 360, height: 740 });
  });
});

const json = { 'content-type': 'application/json' };

/** A user signed up and verified through the API, as an app would do it. */
async function verifiedUser(args: { displayName?: string } = {}) {
  const user = await signUpOverHttp(service.baseUrl, args);
  const [mail] = await mailsTo(outbox, user.email, /Confirm your email address/);
  expect((await fetch(`${service.baseUrl}/auth/verify-email`, { method: 'POST', headers: json, body: JSON.stringify({ token: onlyTokenIn(mail!) }) })).status).toBe(200);
  return user;
}

/** What the keyboard focus is on, by the name a screen reader gives it. */
const focused = (page: Page) =>
  page.evaluate(() => {
    const element = document.activeElement as HTMLInputElement;
    return element.getAttribute('aria-label') ?? element.labels?.[0]?.textContent ?? element.textContent?.trim() ?? '';
  });

describe('the web page by keyboard alone', () => {
  it('has a focus order that follows the page, moves the focus to each new page\'s heading, keeps it through the rotation\'s question, and signs out everywhere', async () => {
    const user = await verifiedUser();
    await withContext({ width: 1280, height: 900 }, async (context) => {
      const watched = await watchedPage(context, journeyStatus);
      const { page } = watched;
      // As a service that sees registrations (Kamailio, FreePBX with the AMI) answers: the page then waits for one.
      await page.route('**/auth/me', async (route) => {
        if (route.request().method() !== 'GET') return route.continue();
        const response = await route.fetch();
        return route.fulfill({ response, json: { ...((await response.json()) as object), registration_reported: true } });
      });
      await page.goto(`${service.baseUrl}/app/log-in`);
      await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
      expect(await focused(page)).toBe('Sign in'); // the heading of the page just shown
      const order: string[] = [];
      for (let step = 0; step < 5; step += 1) {
        await page.keyboard.press('Tab');
        order.push(await focused(page));
      }
      expect(order).toEqual(['Email address', 'Password', 'Sign in', 'Create one', 'Forgot your password?']);
      await page.getByRole('heading', { level: 1 }).focus();
      await page.keyboard.press('Shift+Tab');
      expect(await focused(page)).toBe('Language');
      await page.keyboard.press('Shift+Tab');
      expect(await focused(page)).toBe('Skip to the content');
      await page.keyboard.press('Enter');
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('main');

      // Sign in with the keyboard: type, Enter; the new page's heading takes the focus.
      await page.getByLabel('Email address').focus();
      await page.keyboard.type(user.email);
      await page.keyboard.press('Tab');
      await page.keyboard.type(GOOD_PASSWORD);
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { level: 1, name: 'Your phone' }).waitFor();
      await expect.poll(() => focused(page)).toBe('Your phone');
      await page.locator('[data-stage="active"]').waitFor({ timeout: 20_000 });
      expect(await page.locator('#status [aria-current="step"]').textContent()).toMatch(/Phone registered \(in progress\)$/);

      // The rotation asks first: the focus goes to the question's answer, and back to the button after "Cancel".
      await page.getByRole('button', { name: 'Change my SIP password' }).focus();
      await page.keyboard.press('Enter');
      await expect.poll(() => focused(page)).toBe('Yes, change it');
      await page.keyboard.press('Tab');
      expect(await focused(page)).toBe('Cancel');
      await page.keyboard.press('Enter');
      await expect.poll(() => focused(page)).toBe('Change my SIP password');

      // Sign out everywhere, by keyboard: every session ends (the API one too) and the cookie is dropped.
      await page.getByRole('button', { name: 'Sign out everywhere' }).focus();
      await page.keyboard.press('Enter');
      await page.getByText('You are signed out on every device.').waitFor();
      expect(await context.cookies()).toEqual([]);
      expect((await fetch(`${service.baseUrl}/auth/me`, { headers: { authorization: `Bearer ${user.token}` } })).status).toBe(401);
      expect(watched.problems).toEqual([]);
    });
  });
});

describe('the rest of the phone page', () => {
  it('shows the other formats, signs another device out, exports the data, changes the password, shows a registered phone, and deletes the account', async () => {
    const user = await verifiedUser();
    // Another device of the same person, to be signed out from the page.
    const otherLogin = await fetch(`${service.baseUrl}/auth/login`, { method: 'POST', headers: { ...json, 'user-agent': 'OtherPhone/1.0' }, body: JSON.stringify({ email: user.email, password: GOOD_PASSWORD }) });
    const other = (await otherLogin.json()) as { refresh_token: string };
    // After the deletion the page's logout and its refresh are refused (401): the account is gone. A wrong current password is a 401 too.
    const expected = (path: string, status: number) => journeyStatus(path, status) || (['/auth/logout', '/auth/change-password'].includes(path) && status === 401);
    const newPassword = 'another quite unusual passphrase 42';
    await withContext({ width: 1280, height: 900 }, async (context) => {
      const watched = await watchedPage(context, expected);
      const { page } = watched;
      await signIn(page, user.email);
      await page.locator('[data-stage="active"]').waitFor({ timeout: 20_000 });
      // This service's PBX driver (none) cannot tell who registered: nothing waits for a registration, a hint says so.
      expect(await page.locator('#status .steps').textContent()).not.toContain('Phone registered');
      await page.getByText('This service cannot see when your phone registers', { exact: false }).waitFor();

      // Other formats: SessionTalk's text and its QR code (the same text), and the Linphone XML as a download.
      await page.getByLabel('Format', { exact: true }).selectOption('sessiontalk');
      await page.getByRole('button', { name: 'Show', exact: true }).click();
      const text = page.getByLabel('The SessionTalk settings');
      await expect.poll(() => text.inputValue()).toMatch(/^scloc:/);
      const formatQr = page.getByRole('img', { name: 'QR code of the SessionTalk settings' });
      await expect.poll(() => formatQr.evaluate((image: HTMLImageElement) => image.complete && image.naturalWidth > 0)).toBe(true);
      expect(await readQrCode(formatQr)).toBe(await text.inputValue());
      await page.getByLabel('Format', { exact: true }).selectOption('linphone-xml');
      const [xml] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download', exact: true }).click()]);
      expect(xml.suggestedFilename()).toBe('linphone.xml');
      expect(fs.readFileSync(await xml.path(), 'utf8')).toContain('<config');

      // Sessions: the other device is signed out from here; its refresh token is refused from then on.
      await page.getByRole('button', { name: 'Sign out OtherPhone/1.0' }).click();
      await page.getByText('That device is signed out.').waitFor();
      const refused = await fetch(`${service.baseUrl}/auth/refresh`, { method: 'POST', headers: json, body: JSON.stringify({ refresh_token: other.refresh_token }) });
      expect(refused.status).toBe(401);

      // Export: a download of GET /auth/me/export.
      const [exported] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download my data' }).click()]);
      expect(exported.suggestedFilename()).toBe('account-export.json');
      expect(fs.readFileSync(await exported.path(), 'utf8')).toContain(`"email":"${user.email}"`);

      // Change the password: a wrong current one is refused in words; then the new one works, the old one no
      // longer does, and the page carries on in the new session (its token in memory, its cookie on a reload).
      await page.getByLabel('Current password').fill('not my password at all');
      await page.getByLabel('New password').fill(newPassword);
      await page.getByRole('button', { name: 'Change my password' }).click();
      await expect.poll(() => page.locator('#password [role="alert"]').textContent()).toBe('The current password is wrong.');
      await expectAccessible(page, 'a wrong current password');
      await screenshot(page, 'password-wrong');
      await page.getByLabel('Current password').fill(GOOD_PASSWORD);
      await page.getByRole('button', { name: 'Change my password' }).click();
      await page.getByText('Your password is changed.', { exact: false }).waitFor();
      expect(await page.getByLabel('Current password').inputValue()).toBe('');
      const loginWith = (password: string) => fetch(`${service.baseUrl}/auth/login`, { method: 'POST', headers: json, body: JSON.stringify({ email: user.email, password }) });
      expect([(await loginWith(newPassword)).status, (await loginWith(GOOD_PASSWORD)).status]).toEqual([200, 401]);
      const [again] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download my data' }).click()]);
      expect(again.suggestedFilename()).toBe('account-export.json');
      await page.reload();
      await page.locator('[data-stage="active"]').waitFor({ timeout: 10_000 });

      // A registered phone, as GET /auth/me reports it once the registration state is there (answered here by the browser).
      await page.route('**/auth/me', async (route) => {
        if (route.request().method() !== 'GET') return route.continue();
        const response = await route.fetch();
        const body = (await response.json()) as { sip_account: Record<string, unknown> };
        body.sip_account = { ...body.sip_account, status: 'registered', registered_at: '2026-12-01T15:00:00.000Z', user_agent: 'Linphone/5.2.6 (laptop)' };
        return route.fulfill({ response, json: body });
      });
      await page.locator('[data-stage="registered"]').waitFor({ timeout: 20_000 });
      expect(await page.locator('#status [role="status"]').first().textContent()).toMatch(/^Your phone is registered: number \d+ can be called\. Registered since .+ with Linphone\/5\.2\.6 \(laptop\)\.$/);
      await expectAccessible(page, 'registered');
      await screenshot(page, 'registered');
      await page.unroute('**/auth/me');

      // Delete the account: signed out, the cookie dropped, the login refused.
      await page.getByLabel('Your password, to confirm').fill(newPassword);
      await page.getByRole('button', { name: 'Delete my account for good' }).click();
      await page.getByText('Your account is being deleted. A confirmation mail is on its way.').waitFor();
      await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
      await screenshot(page, 'deleted');
      expect(await context.cookies()).toEqual([]);
      expect((await loginWith(newPassword)).status).toBe(401);
      expect(watched.problems).toEqual([]);
    });
  });
});

describe('the web page for a forgotten password, in Spanish, and for an admin', () => {
  it('mails a reset link from the forgotten-password page, whose page sets a new password and leads back to sign in', async () => {
    const user = await verifiedUser();
    const newPassword = 'a brand new and unusual passphrase 7';
    await withContext({ width: 360, height: 740 }, async (context) => {
      const watched = await watchedPage(context, journeyStatus);
      const { page } = watched;
      await page.goto(`${service.baseUrl}/`);
      await page.getByRole('link', { name: 'Forgot your password?' }).click();
      await page.getByRole('heading', { level: 1, name: 'Forgot your password?' }).waitFor();
      await page.getByLabel('Email address').fill(user.email);
      await page.getByRole('button', { name: 'Mail me a link' }).click();
      await page.getByText(`If ${user.email} has an account, a link to choose a new password is on its way.`, { exact: false }).waitFor();
      await expectAccessible(page, 'forgotten password');
      await screenshot(page, 'forgot-password');

      const [mail] = await mailsTo(outbox, user.email, /Reset your Acme Voice password/);
      await page.goto(`${service.baseUrl}/auth/reset-password?token=${onlyTokenIn(mail!)}`);
      await page.getByLabel('New password').fill(newPassword);
      await page.getByRole('button', { name: 'Save my new password' }).click();
      await page.getByRole('heading', { name: 'Password changed' }).waitFor();
      await page.getByRole('link', { name: 'Sign in on the web page' }).click();
      await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
      expect(new URL(page.url()).pathname).toBe('/app/log-in');
      await page.getByLabel('Email address').fill(user.email);
      await page.getByLabel('Password').fill(newPassword);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { level: 1, name: 'Your phone' }).waitFor();
      expect(watched.problems).toEqual([]);
    });
  });

  it('speaks the browser\'s language, switches language, and shows problems in words from their code', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 800 }, locale: 'es-ES' });
    try {
      const watched = await watchedPage(context, (path, status) => (path === '/auth/refresh' && status === 401) || (path === '/auth/login' && status === 401));
      const { page } = watched;
      await page.goto(`${service.baseUrl}/`);
      await page.getByRole('heading', { level: 1, name: 'Iniciar sesión' }).waitFor();
      expect(await page.getAttribute('html', 'lang')).toBe('es');
      await page.getByLabel('Dirección de correo electrónico').fill(uniqueEmail('nobody'));
      await page.getByLabel('Contraseña').fill('not the password at all');
      await page.getByRole('button', { name: 'Iniciar sesión' }).click();
      await expect.poll(() => page.getByRole('alert').textContent()).toBe('La dirección de correo electrónico o la contraseña no son correctas.');
      await expectAccessible(page, 'sign-in in Spanish with an error');
      await screenshot(page, 'spanish-sign-in-error');
      await page.getByLabel('Idioma').selectOption('en');
      await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
      expect(await page.getAttribute('html', 'lang')).toBe('en');
      expect(watched.problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('lets an admin find a user, disable and enable them, and compare the PBX', async () => {
    const admin = await grantedAdmin(service.service);
    const { email: target } = await registerAndLogin(service.service.app, { email: uniqueEmail('target') });
    await withContext({ width: 1280, height: 900 }, async (context) => {
      const watched = await watchedPage(context, journeyStatus);
      const { page } = watched;
      await openAdministration(page, admin.email);
      await page.getByLabel('Search by email, name or number').fill(target);
      await page.getByRole('button', { name: 'Search' }).click();
      await page.getByRole('button', { name: `Disable ${target}` }).click();
      await page.getByText(`${target} is disabled.`).waitFor();
      await page.getByRole('button', { name: `Enable ${target}` }).click();
      await page.getByText(`${target} is enabled.`).waitFor();
      await page.getByRole('button', { name: 'Compare', exact: true }).click();
      await page.getByText('Accounts here').waitFor();
      await expectAccessible(page, 'admin');
      await screenshot(page, 'admin');
      expect(watched.problems).toEqual([]);
    });
  });

  it('shows an admin when each user\'s phone first registered and with what, and filters the registered users and the live ones with no phone yet', async () => {
    const admin = await grantedAdmin(service.service);
    // One searched name for the three, so the filters are seen on them alone.
    const tag = `Phonewatch${Date.now().toString(36)}`;
    const ringing = await verifiedUser({ displayName: `${tag} Ringing` });
    const waiting = await verifiedUser({ displayName: `${tag} Waiting` });
    const unconfirmed = await signUpOverHttp(service.baseUrl, { displayName: `${tag} Unconfirmed` });
    const accountStatus = async (token: string) =>
      ((await (await fetch(`${service.baseUrl}/auth/me`, { headers: { authorization: `Bearer ${token}` } })).json()) as { sip_account: { status: string } | null }).sip_account?.status;
    for (const user of [ringing, waiting]) await expect.poll(() => accountStatus(user.token), { timeout: 20_000 }).toBe('active');
    expect(await accountStatus(unconfirmed.token)).toBe('awaiting_verification');
    // This service's PBX driver (none) cannot tell who registered: the registration is recorded as the watch records it.
    await recordRegistration(service.service, ringing.email, { at: '2026-12-01T15:00:00.000Z', userAgent: 'Linphone/5.2.6 (laptop)' });

    await withContext({ width: 1280, height: 900 }, async (context) => {
      const watched = await watchedPage(context, journeyStatus);
      const { page } = watched;
      await openAdministration(page, admin.email);
      const listed = () => page.locator('#users tbody tr td.value').allTextContents();
      // ICU puts a narrow no-break space before "PM" in some versions, a space in others.
      const shownTime = async () => (await page.locator('#users tbody time').textContent())?.replace(/\s/g, ' ');
      const filter = async (choice: string) => {
        await page.getByLabel('Search by email, name or number').fill(tag);
        await page.getByLabel('Status', { exact: true }).selectOption({ label: choice });
        await page.getByRole('button', { name: 'Search' }).click();
      };
      /** The "Phone registered" cell of the user's row. */
      const registrationOf = async (email: string) => {
        const column = (await page.locator('#users thead th').allTextContents()).indexOf('Phone registered');
        expect(column, 'the column of the registration').toBeGreaterThan(0);
        return page.locator('#users tbody tr').filter({ has: page.locator('td.value', { hasText: email }) }).locator('td').nth(column);
      };

      // Any status: all three, newest first; the registered one with its time (in the page's language) and its phone.
      await filter('Any');
      await expect.poll(listed).toEqual([unconfirmed.email, waiting.email, ringing.email]);
      const registered = await registrationOf(ringing.email);
      expect(await registered.locator('time').getAttribute('datetime')).toBe('2026-12-01T15:00:00.000Z');
      expect(await shownTime()).toBe('Dec 1, 2026, 3:00 PM');
      expect(await registered.locator('.hint').textContent()).toBe('Linphone/5.2.6 (laptop)');
      expect(await (await registrationOf(waiting.email)).textContent()).toBe('—');
      expect(await (await registrationOf(unconfirmed.email)).textContent()).toBe('—');
      await expectAccessible(page, 'admin with a registration');
      await screenshot(page, 'admin-registration');

      // The filters: registered; live with no phone yet (not the unconfirmed one, which is not live); live, as before.
      await filter('Registered');
      await expect.poll(listed).toEqual([ringing.email]);
      await filter('Ready, no phone yet');
      await expect.poll(listed).toEqual([waiting.email]);
      await filter('Ready');
      await expect.poll(listed).toEqual([waiting.email, ringing.email]);
      await filter('Email not confirmed');
      await expect.poll(listed).toEqual([unconfirmed.email]);

      // In Spanish: the column, the choice and the time in its words.
      await page.getByLabel('Language').selectOption('es');
      await page.getByRole('heading', { level: 1, name: 'Administración' }).waitFor();
      expect(await page.locator('#users thead th').allTextContents()).toContain('Teléfono registrado');
      expect(await page.getByLabel('Estado').locator('option').allTextContents()).toContain('Listo, sin teléfono aún');
      await page.getByLabel('Estado').selectOption({ label: 'Cualquiera' });
      await page.getByRole('button', { name: 'Buscar' }).click();
      await expect.poll(listed).toEqual([unconfirmed.email, waiting.email, ringing.email]);
      expect(await shownTime()).toBe('1 dic 2026, 15:00');
      expect(watched.problems).toEqual([]);
    }, 'UTC');
  });
});
