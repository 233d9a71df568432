import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import jsQRModule from 'jsqr';
import { PNG } from 'pngjs';
import { queryRows } from '../src/db/database.ts';
import { sha256Hex } from '../src/shared/crypto.ts';
import { createTestDatabase, type TestDatabase } from './support/test-database.ts';
import { createTestService, GOOD_PASSWORD, registerAndLogin, type TestService } from './support/test-service.ts';
import { createProvisioningLinkUseCases } from '../src/modules/provisioning/provisioning-links.usecases.ts';
import { alice } from './support/sample-credentials.ts';
import { LPCONFIG_SCHEMA_PATH, runXmllint } from './support/xmllint.ts';

// jsqr is CommonJS typed as an ES module: under NodeNext its default import is `module.exports`.
const jsQR = jsQRModule.default;

let database: TestDatabase;
let service: TestService;
let deviceService: TestService;
/** Every token handed out in this file, for the test proving none reaches a log line. */
const tokensSeen: string[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  service = await createTestService({
    database: database.handle,
    env: { PUBLIC_BASE_URL: 'https://voip.example.com/', PROVISIONING_RATE_LIMIT_PER_MINUTE: '100000', SIP_PORT: '5080' },
  });
  // A second instance of the service on the same database, configured for device-bound links.
  deviceService = await createTestService({
    database: database.handle,
    env: { PROVISIONING_LINK_MODE: 'device', PROVISIONING_RATE_LIMIT_PER_MINUTE: '100000' },
    startWorker: false,
  });
});
afterAll(async () => {
  await deviceService?.close();
  await service?.close();
  await database?.close();
});

const LINPHONE = { 'x-linphone-provisioning': '1', 'user-agent': 'Linphone/5.1.0 (belle-sip/5.1.0)' };

async function newUser(svc: TestService, displayName?: string) {
  const { token, register } = await registerAndLogin(svc.app, { displayName });
  return { bearer: token, extension: register.json<{ sip_extension: string }>().sip_extension };
}

async function createLink(svc: TestService, bearer: string) {
  const response = await svc.app.inject({ method: 'POST', url: '/sip/provisioning-links', headers: { authorization: `Bearer ${bearer}` } });
  expect(response.statusCode).toBe(201);
  const body = response.json<{ url: string; expires_at: string; qr_png_url: string; qr_svg_url: string; deep_link: string }>();
  const token = body.url.split('/').pop()!;
  tokensSeen.push(token);
  return { body, token, path: `/provisioning/${token}` };
}

const fetchAs = (svc: TestService, path: string, headers: Record<string, string> = {}) =>
  svc.app.inject({ method: 'GET', url: path, headers });

const passwordOf = async (svc: TestService, bearer: string) =>
  (await svc.app.inject({ method: 'GET', url: '/sip/credentials', headers: { authorization: `Bearer ${bearer}` } })).json<{ password: string }>().password;

/** The one answer every unusable link gets, minus the per-request id. */
const invalidAnswer = (response: { statusCode: number; headers: Record<string, unknown>; json: () => Record<string, unknown> }) => {
  const { request_id: _ignored, ...problem } = response.json();
  return { status: response.statusCode, type: response.headers['content-type'], problem };
};

describe('POST /sip/provisioning-links', () => {
  it('answers the URL under PUBLIC_BASE_URL with a 256-bit token, its expiry, QR URLs and the linphone-config deep link', async () => {
    const { bearer } = await newUser(service);
    const before = Date.now();
    const { body, token } = await createLink(service, bearer);

    expect(Object.keys(body).sort()).toEqual(['deep_link', 'expires_at', 'qr_png_url', 'qr_svg_url', 'url']);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(body.url).toBe(`https://voip.example.com/provisioning/${token}`);
    expect(body.qr_png_url).toBe(`${body.url}/qr.png`);
    expect(body.qr_svg_url).toBe(`${body.url}/qr.svg`);
    expect(body.deep_link).toBe(`linphone-config:${body.url}`);
    const lifetime = Date.parse(body.expires_at) - before;
    expect(lifetime).toBeGreaterThan(595_000); // PROVISIONING_LINK_TTL default: 10 minutes.
    expect(lifetime).toBeLessThanOrEqual(601_000);
  });

  it('keeps at most PROVISIONING_LINKS_PER_ACCOUNT (5) unused links per account: a new one revokes the oldest', async () => {
    const { bearer } = await newUser(service);
    const made = [];
    for (let i = 0; i < 7; i++) made.push(await createLink(service, bearer));
    const pages = await Promise.all(made.map(({ path }) => fetchAs(service, path, { accept: 'text/html' })));
    expect(pages.map((page) => page.statusCode)).toEqual([404, 404, 200, 200, 200, 200, 200]);
    expect((await fetchAs(service, made[0]!.path, LINPHONE)).statusCode).toBe(404);
    expect((await fetchAs(service, made[6]!.path, LINPHONE)).statusCode).toBe(200);
  });

  it('stores only the hash of the token', async () => {
    const { bearer } = await newUser(service);
    const { token } = await createLink(service, bearer);
    const rows = await queryRows<Record<string, unknown>>(service.deps.database.db, sql`select * from provisioning_links where token_hash = ${sha256Hex(token)}`);
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(token);
  });

  it('needs a bearer token', async () => {
    const response = await service.app.inject({ method: 'POST', url: '/sip/provisioning-links' });
    expect(response.statusCode).toBe(401);
  });
});

describe('GET /provisioning/{token}', () => {
  it('gives Linphone the XML of its account, every value escaped, and then refuses the same link', async () => {
    const { bearer, extension } = await newUser(service, 'Zoë <Ops> & "Co"');
    const { path } = await createLink(service, bearer);
    const password = await passwordOf(service, bearer);

    const first = await fetchAs(service, path, LINPHONE);
    expect(first.statusCode).toBe(200);
    expect(first.headers['content-type']).toBe('application/xml; charset=utf-8');
    expect(first.headers['cache-control']).toBe('no-store');
    expect(first.body).toBe(`<?xml version="1.0" encoding="UTF-8"?>
<config xmlns="http://www.linphone.org/xsds/lpconfig.xsd">
  <section name="misc">
    <entry name="transient_provisioning" overwrite="true">1</entry>
  </section>
  <section name="proxy_0">
    <entry name="reg_identity" overwrite="true">"Zoë &lt;Ops&gt; &amp; \\"Co\\"" &lt;sip:${extension}@sip.test.local&gt;</entry>
    <entry name="reg_proxy" overwrite="true">&lt;sip:sip.test.local:5080;transport=udp&gt;</entry>
    <entry name="reg_expires" overwrite="true">3600</entry>
    <entry name="reg_sendregister" overwrite="true">1</entry>
  </section>
  <section name="auth_info_0">
    <entry name="username" overwrite="true">${extension}</entry>
    <entry name="userid" overwrite="true">${extension}</entry>
    <entry name="passwd" overwrite="true">${password}</entry>
    <entry name="domain" overwrite="true">sip.test.local</entry>
  </section>
</config>
`);

    const again = await fetchAs(service, path, LINPHONE);
    expect(again.statusCode).toBe(404);
    expect(again.body).not.toContain(password);
  });

  it('serves valid XML for a stored display name XML cannot carry (U+FFFE, U+FFFF, lone surrogates), from the API and from a link', async () => {
    const { bearer } = await newUser(service, 'placeholder');
    const me = (await service.app.inject({ method: 'GET', url: '/auth/me', headers: { authorization: `Bearer ${bearer}` } })).json<{ id: string }>();
    // Stored before the edge refused such names (the schema now answers 422).
    await database.handle.db.execute(sql`update users set display_name = ${'Eve\uFFFE\uFFFF \uD83D x \uDE00 😀'} where id = ${me.id}`);
    const file = await service.app.inject({ method: 'GET', url: '/sip/credentials/linphone-xml', headers: { authorization: `Bearer ${bearer}` } });
    expect(file.statusCode).toBe(200);
    const { path } = await createLink(service, bearer);
    const fetched = await fetchAs(service, path, LINPHONE);
    expect(fetched.statusCode).toBe(200);
    for (const xml of [file.body, fetched.body]) {
      expect(xml).toContain('"Eve\uFFFD\uFFFD \uFFFD x \uFFFD 😀"');
      expect((await runXmllint(['--noout', '--schema', LPCONFIG_SCHEMA_PATH], xml)).status).toBe(0);
    }
  });

  it('never uses a link up when rendering its XML fails', async () => {
    const { bearer } = await newUser(service);
    const { token, path } = await createLink(service, bearer);
    const broken = createProvisioningLinkUseCases({
      db: database.handle.db,
      // Values no XML can carry, as a corrupt row or a bug upstream would hand over.
      sipAccounts: { getCredentials: async () => ({ ...alice, password: 'nul\u0000byte' }) },
      publicBaseUrl: 'https://voip.example.com',
      ttlSeconds: 600,
      mode: 'once',
    });
    await expect(broken.fetchLinphoneConfig({ token, deviceFingerprint: 'phone' })).rejects.toThrow(RangeError);
    const retried = await fetchAs(service, path, LINPHONE);
    expect(retried.statusCode).toBe(200);
    expect(retried.body).toContain('<config');
  });

  it('lets a browser, link scanner or chat preview open the link without using it up', async () => {
    const { bearer } = await newUser(service);
    const { path, body } = await createLink(service, bearer);

    for (const userAgent of ['Mozilla/5.0 (compatible; Microsoft Exchange link scanner)', 'Slackbot-LinkExpanding 1.0']) {
      const page = await fetchAs(service, path, { 'user-agent': userAgent });
      expect(page.statusCode).toBe(200);
      expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(page.body).toContain('Fetch remote configuration');
      expect(page.body).toContain(`href="${body.deep_link}"`);
      expect(page.body).not.toContain(await passwordOf(service, bearer));
    }
    expect((await fetchAs(service, path, LINPHONE)).statusCode).toBe(200);
  });

  it('writes the help page in the language of the link\'s user, else the browser\'s, else DEFAULT_LOCALE', async () => {
    const email = `scan-es-${Date.now()}@example.com`;
    expect((await service.app.inject({ method: 'POST', url: '/auth/register', payload: { email, password: GOOD_PASSWORD, locale: 'es' } })).statusCode).toBe(201);
    const login = await service.app.inject({ method: 'POST', url: '/auth/login', payload: { email, password: GOOD_PASSWORD } });
    const spanish = await createLink(service, login.json<{ access_token: string }>().access_token);
    const page = await fetchAs(service, spanish.path, { 'user-agent': 'Mozilla/5.0', 'accept-language': 'en-GB' });
    expect(page.body).toContain('<html lang="es">');
    expect(page.body).toContain('Configura tu softphone');
    expect(page.body).toContain('data-copied="Copiada"');

    // A user who chose no language: the browser's, else DEFAULT_LOCALE (en here).
    await database.handle.db.execute(sql`update users set locale = null where lower(email) = lower(${email})`);
    expect((await fetchAs(service, spanish.path, { 'user-agent': 'Mozilla/5.0', 'accept-language': 'es-MX,es;q=0.9' })).body).toContain('<html lang="es">');
    const fallback = await fetchAs(service, spanish.path, { 'user-agent': 'Mozilla/5.0', 'accept-language': 'de-DE' });
    expect(fallback.body).toContain('<html lang="en">');
    expect(fallback.body).toContain('Set up your softphone');
  });

  it('the help page fits a phone (the address wraps) and offers a copy button, its script a file (the CSP allows no inline script)', async () => {
    const { bearer } = await newUser(service);
    const { path, body } = await createLink(service, bearer);
    const page = await fetchAs(service, path, { accept: 'text/html' });

    expect(page.body).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(page.body).toMatch(/\.address\{[^}]*overflow-wrap:anywhere;word-break:break-all/);
    expect(page.body).toContain(`<code class="address" id="provisioning-address">${body.url}</code>`);
    expect(page.body).toContain(`<button type="button" id="copy-address" data-copy="${body.url}" data-copied="Copied" data-selected="Selected: copy it now" hidden>Copy address</button>`);
    expect(page.body).toContain('<script src="copy-link.js" defer></script>');
    expect(page.body).not.toMatch(/<script(?![^>]*\ssrc=)/);
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");

    const script = await fetchAs(service, '/provisioning/copy-link.js');
    expect(script.statusCode).toBe(200);
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(script.body).toContain("navigator.clipboard.writeText");
    expect(script.body).toContain("getElementById('copy-address')");
    // Neither the page nor the script used the link up.
    expect((await fetchAs(service, path, LINPHONE)).statusCode).toBe(200);
  });

  it('gives unknown, malformed, expired, used and rotated-away links one identical answer', async () => {
    const { bearer } = await newUser(service);
    const used = await createLink(service, bearer);
    await fetchAs(service, used.path, LINPHONE);
    const expired = await createLink(service, bearer);
    await service.deps.database.db.execute(
      sql`update provisioning_links set expires_at = now() - interval '1 second' where token_hash = ${sha256Hex(expired.token)}`,
    );
    const rotatedAway = await createLink(service, bearer);
    const rotation = await service.app.inject({ method: 'POST', url: '/sip/credentials/rotate', headers: { authorization: `Bearer ${bearer}` } });
    expect(rotation.json()).toMatchObject({ status: 'active' });

    const paths = [
      '/provisioning/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
      '/provisioning/not-a-token',
      `/provisioning/${'x'.repeat(90)}`,
      `/provisioning/${'y'.repeat(500)}`,
      used.path,
      expired.path,
      rotatedAway.path,
    ];
    const answers = await Promise.all(paths.map(async (path) => invalidAnswer(await fetchAs(service, path, LINPHONE))));
    const pageAnswers = await Promise.all(paths.map(async (path) => invalidAnswer(await fetchAs(service, path))));
    expect(answers[0]).toEqual({
      status: 404,
      type: 'application/problem+json; charset=utf-8',
      problem: {
        type: 'about:blank',
        title: 'Provisioning link not valid',
        status: 404,
        detail: 'This provisioning link is unknown, has expired or was already used. Ask for a new one.',
        code: 'provisioning_link_invalid',
        instance: '/provisioning/[redacted]',
      },
    });
    for (const answer of [...answers, ...pageAnswers]) expect(answer).toEqual(answers[0]);

    const fresh = await createLink(service, bearer);
    expect((await fetchAs(service, fresh.path, LINPHONE)).body).toContain(await passwordOf(service, bearer));
  });

  it('serves the QR code of the plain https URL as PNG and SVG without using the link up, and not once used', async () => {
    const { bearer } = await newUser(service);
    const { path, body } = await createLink(service, bearer);

    const png = await fetchAs(service, `${path}/qr.png`);
    expect(png.statusCode).toBe(200);
    expect(png.headers['content-type']).toBe('image/png');
    const image = PNG.sync.read(png.rawPayload);
    expect(jsQR(new Uint8ClampedArray(image.data), image.width, image.height)?.data).toBe(body.url);
    const svg = await fetchAs(service, `${path}/qr.svg`);
    expect(svg.statusCode).toBe(200);
    expect(svg.headers['content-type']).toBe('image/svg+xml; charset=utf-8');
    expect(svg.body).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);

    expect((await fetchAs(service, path, LINPHONE)).statusCode).toBe(200);
    expect((await fetchAs(service, `${path}/qr.png`)).statusCode).toBe(404);
  });

  it('lets only one of two phones racing for a link have it', async () => {
    const { bearer } = await newUser(service);
    const { path } = await createLink(service, bearer);
    const answers = await Promise.all([fetchAs(service, path, LINPHONE), fetchAs(service, path, LINPHONE), fetchAs(service, path, LINPHONE)]);
    expect(answers.map((answer) => answer.statusCode).sort()).toEqual([200, 404, 404]);
  });

  it('in device mode, binds the link to the first Linphone that fetches it, which may fetch it again', async () => {
    const { bearer } = await newUser(deviceService);
    const { path } = await createLink(deviceService, bearer);
    const phoneA = { ...LINPHONE, 'user-agent': 'LinphoneAndroid/5.2 (Pixel 7)' };
    const phoneB = { ...LINPHONE, 'user-agent': 'LinphoneiOS/5.2 (iPhone)' };

    expect((await fetchAs(deviceService, path, phoneA)).statusCode).toBe(200);
    expect((await fetchAs(deviceService, path, phoneA)).statusCode).toBe(200);
    expect((await fetchAs(deviceService, path, phoneB)).statusCode).toBe(404);
    expect((await fetchAs(deviceService, path, { 'user-agent': 'Mozilla/5.0' })).statusCode).toBe(404);
  });
});

describe('Linphone before X-Linphone-Provisioning (liblinphone < 5.3), on the default settings', () => {
  it('lets a fetch with a liblinphone User-Agent and no Accept header (Debian\'s linphonec 5.1) use the link up, but not a bare client', async () => {
    const { bearer } = await newUser(service);
    const { path } = await createLink(service, bearer);
    // Not a liblinphone User-Agent: the page, and the link stays usable.
    const notLinphone: Record<string, string>[] = [{}, { 'user-agent': 'curl/8.5.0' }, { 'user-agent': 'Unknown', accept: 'text/html,*/*;q=0.8' }];
    for (const headers of notLinphone) {
      const page = await fetchAs(service, path, headers);
      expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    }
    const linphone51 = await fetchAs(service, path, { 'user-agent': 'Unknown' });
    expect(linphone51.headers['content-type']).toBe('application/xml; charset=utf-8');
    expect(linphone51.body).toContain(await passwordOf(service, bearer));
    expect((await fetchAs(service, path, { 'user-agent': 'Linphonec/5.1.65' })).statusCode).toBe(404);
  });
});

describe('PROVISIONING_ACCEPT_LEGACY_LINPHONE=true', () => {
  it('also lets any fetch with no Accept header use the link up, whatever its User-Agent, but still not a browser', async () => {
    const legacy = await createTestService({
      database: database.handle,
      env: { PROVISIONING_ACCEPT_LEGACY_LINPHONE: 'true', PROVISIONING_RATE_LIMIT_PER_MINUTE: '100000' },
      startWorker: false,
    });
    try {
      const { bearer } = await newUser(service);
      const { path } = await createLink(legacy, bearer);
      const browser = await fetchAs(legacy, path, { accept: 'text/html,*/*;q=0.8', 'user-agent': 'Mozilla/5.0' });
      expect(browser.headers['content-type']).toBe('text/html; charset=utf-8');
      const bareClient = await fetchAs(legacy, path, { 'user-agent': 'SomeBareClient/1.0' });
      expect(bareClient.headers['content-type']).toBe('application/xml; charset=utf-8');
      expect((await fetchAs(legacy, path, { 'user-agent': 'SomeBareClient/1.0' })).statusCode).toBe(404);
      expect(legacy.logs.text).not.toContain(path);
    } finally {
      await legacy.close();
    }
  });
});

describe('rate limit and logs', () => {
  it('limits the public provisioning routes per client address, apart from the API\'s budget', async () => {
    const limited = await createTestService({ database: database.handle, env: { PROVISIONING_RATE_LIMIT_PER_MINUTE: '3' }, startWorker: false });
    try {
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await fetchAs(limited, `/provisioning/guess-${i}/qr.png`)).statusCode);
      expect(statuses).toEqual([404, 404, 404, 429]);
      const limitedAnswer = await fetchAs(limited, '/provisioning/guess-5/qr.png');
      expect(limitedAnswer.headers['retry-after']).toBeDefined();
      expect(limitedAnswer.json()).toMatchObject({ code: 'rate_limited' });
      expect((await limited.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
      for (let i = 0; i < 6; i++) expect(limited.logs.text).not.toContain(`guess-${i}`);
    } finally {
      await limited.close();
    }
  });

  it('never writes a link token to the logs', async () => {
    expect(tokensSeen.length).toBeGreaterThan(5);
    const logs = service.logs.text + deviceService.logs.text;
    expect(logs).toContain('/provisioning/[redacted]');
    for (const token of tokensSeen) expect(logs).not.toContain(token);
  });
});
