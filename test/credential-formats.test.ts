import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import jsQRModule from 'jsqr';
import { PNG } from 'pngjs';
import { createTestDatabase, type TestDatabase } from './support/test-database.ts';
import { createTestService, registerAndLogin, type TestService } from './support/test-service.ts';

// jsqr is CommonJS typed as an ES module: under NodeNext its default import is `module.exports`.
const jsQR = jsQRModule.default;

let database: TestDatabase;
let service: TestService;
let plain: TestService;
let user: { bearer: string; extension: string; password: string };

beforeAll(async () => {
  database = await createTestDatabase();
  service = await createTestService({
    database: database.handle,
    env: { ACROBITS_CLOUD_ID: 'ACME42', SESSIONTALK_PROVIDER_ID: 'acme', SIP_TRANSPORT: 'tls', SIP_PORT: '5062' },
  });
  plain = await createTestService({ database: database.handle, startWorker: false });
  const { token, register } = await registerAndLogin(service.app, { displayName: 'Ada' });
  const credentials = await service.app.inject({ method: 'GET', url: '/sip/credentials', headers: { authorization: `Bearer ${token}` } });
  user = { bearer: token, extension: register.json().sip_extension, password: credentials.json().password };
});
afterAll(async () => {
  await plain?.close();
  await service?.close();
  await database?.close();
});

const get = (svc: TestService, url: string, bearer = user.bearer) =>
  svc.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${bearer}` } });

describe('GET /sip/credentials/{format}', () => {
  it('acrobits: csc:user:password@CLOUDID', async () => {
    const response = await get(service, '/sip/credentials/acrobits');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.body).toBe(`csc:${user.extension}:${user.password}@ACME42`);
  });

  it('acrobits: 404 credential_format_not_configured without ACROBITS_CLOUD_ID', async () => {
    const response = await get(plain, '/sip/credentials/acrobits');
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ code: 'credential_format_not_configured' });
  });

  it('sessiontalk: scloc:provider|{"sipaccounts":[…]} with the documented fields', async () => {
    const response = await get(service, '/sip/credentials/sessiontalk');
    expect(response.body).toBe(
      `scloc:acme|{"sipaccounts":[{"sipusername":"${user.extension}","sippassword":"${user.password}",` +
        `"subdomain":"sip.test.local","authusername":"${user.extension}","transport":"TLS"}]}`,
    );
  });

  it('sip-uri: the address with the non-default port and transport, and no secret', async () => {
    const response = await get(service, '/sip/credentials/sip-uri');
    expect(response.body).toBe(`sip:${user.extension}@sip.test.local:5062;transport=tls`);
  });

  it('linphone-xml: the Linphone configuration file', async () => {
    const response = await get(service, '/sip/credentials/linphone-xml');
    expect(response.headers['content-type']).toBe('application/xml; charset=utf-8');
    expect(response.body).toContain(`<entry name="reg_proxy" overwrite="true">&lt;sip:sip.test.local:5062;transport=tls&gt;</entry>`);
    expect(response.body).toContain(`<entry name="passwd" overwrite="true">${user.password}</entry>`);
  });

  it('serves a one-scan format as a QR code that decodes to its exact text', async () => {
    const png = await get(service, '/sip/credentials/acrobits/qr.png');
    expect(png.headers['content-type']).toBe('image/png');
    const image = PNG.sync.read(png.rawPayload);
    expect(jsQR(new Uint8ClampedArray(image.data), image.width, image.height)?.data).toBe(`csc:${user.extension}:${user.password}@ACME42`);
    const svg = await get(service, '/sip/credentials/sip-uri/qr.svg');
    expect(svg.headers['content-type']).toBe('image/svg+xml; charset=utf-8');
  });

  it('refuses an unknown format with 422 and a missing bearer token with 401', async () => {
    expect((await get(service, '/sip/credentials/vcard')).statusCode).toBe(422);
    expect((await get(service, '/sip/credentials/linphone-xml/qr.png')).statusCode).toBe(422);
    expect((await service.app.inject({ method: 'GET', url: '/sip/credentials/sip-uri' })).statusCode).toBe(401);
  });
});
