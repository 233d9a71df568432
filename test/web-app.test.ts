import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { installErrorHandlers } from '../src/shared/error-handler.ts';
import { pageCatalogues } from '../src/modules/pages/page-i18n.ts';
import { registerWebAppRoutes } from '../src/modules/web-app/web-app.routes.ts';
import { chooseEncoding, createWebAssets } from '../src/modules/web-app/web-assets.ts';
import { serviceForThisFile } from './support/test-service.ts';

// The web page as the service serves it (built from web/ in memory here: the tests run from the sources).
const file = serviceForThisFile({ env: { SERVICE_NAME: 'Acme <Voice>' } });
const WEB_SOURCES = path.resolve(import.meta.dirname, '../web/src');

const assetPaths = (html: string) => [...html.matchAll(/(?:src|href)="(app\/assets\/[^"]+)"/g)].map((match) => `/${match[1]}`);

describe('the web page document', () => {
  it('is served at / and every /app/… path, in the browser\'s language, under the CSP, with no inline script', async () => {
    for (const url of ['/', '/app/sign-up', '/app/phone', '/app/anything/deeper']) {
      const answer = await file.service.app.inject({ url, headers: { 'accept-language': 'es-MX,es;q=0.9,en;q=0.5' } });
      expect(answer.statusCode, url).toBe(200);
      expect(answer.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(answer.headers['cache-control']).toBe('no-cache');
      expect(answer.headers.vary).toContain('Accept-Language');
      expect(answer.headers['content-security-policy']).toContain("script-src 'self'");
      expect(answer.body).toContain('<html lang="es">');
      expect(answer.body).toContain('<base href="/">');
      expect(answer.body).toContain('data-service-name="Acme &lt;Voice&gt;"');
      expect(answer.body).toContain('Cargando…');
      // Every script is a file of this service: none inline, none from elsewhere.
      expect([...answer.body.matchAll(/<script\b([^>]*)>([^<]*)<\/script>/g)].map((match) => [match[1]!.trim(), match[2]])).toEqual([
        [expect.stringMatching(/^type="module" src="app\/assets\/app-\w+\.js"$/), ''],
      ]);
      expect(answer.body).not.toMatch(/https?:\/\//);
    }
    expect((await file.service.app.inject({ url: '/', headers: { 'accept-language': 'de' } })).body).toContain('<html lang="en">');
  });

  it('stays out of the OpenAPI document, whose routes all remain', async () => {
    const paths = Object.keys((await file.service.app.inject('/openapi.json')).json<{ paths: object }>().paths);
    expect(paths.filter((route) => route === '/' || route.startsWith('/app'))).toEqual([]);
    expect(paths).toContain('/auth/refresh');
  });
});

describe('the web page assets', () => {
  it('are served compressed for the browser, kept for good (hashed names), and the script and style sheet come to well under 100 KB', async () => {
    const html = (await file.service.app.inject('/')).body;
    const [script, style] = assetPaths(html).sort((a, b) => (a.endsWith('.js') ? -1 : b.endsWith('.js') ? 1 : 0));
    expect(style).toMatch(/\.css$/);
    let transferred = 0;
    for (const url of [script!, style!]) {
      const plain = await file.service.app.inject({ url });
      expect(plain.statusCode, url).toBe(200);
      expect(plain.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(plain.headers['content-encoding']).toBeUndefined();
      const br = await file.service.app.inject({ url, headers: { 'accept-encoding': 'gzip, deflate, br' } });
      expect(br.headers['content-encoding']).toBe('br');
      expect(br.headers.vary).toContain('Accept-Encoding');
      expect(brotliDecompressSync(br.rawPayload).equals(plain.rawPayload)).toBe(true);
      const gzip = await file.service.app.inject({ url, headers: { 'accept-encoding': 'gzip' } });
      expect(gunzipSync(gzip.rawPayload).equals(plain.rawPayload)).toBe(true);
      transferred += br.rawPayload.length;
    }
    expect((await file.service.app.inject(script!)).headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect((await file.service.app.inject(style!)).headers['content-type']).toBe('text/css; charset=utf-8');
    expect(transferred).toBeLessThan(100_000);
  });

  it('answers an unknown asset with a 404 problem', async () => {
    const answer = await file.service.app.inject('/app/assets/app-OLDHASH.js');
    expect([answer.statusCode, answer.headers['content-type']]).toEqual([404, 'application/problem+json; charset=utf-8']);
    expect(answer.json().code).toBe('not_found');
  });

  it('picks brotli, else gzip, else none, honouring q=0', () => {
    expect(chooseEncoding('gzip, deflate, br')).toBe('br');
    expect(chooseEncoding('gzip;q=1.0, br;q=0')).toBe('gzip');
    expect(chooseEncoding('identity')).toBe('identity');
    expect(chooseEncoding(undefined)).toBe('identity');
  });
});

describe('without a build of the page', () => {
  it('answers 503 web_page_unavailable, in words, instead of failing the service', async () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'vt-web-'));
    const logged: unknown[] = [];
    try {
      const app = Fastify();
      installErrorHandlers(app);
      registerWebAppRoutes(app, {
        assets: createWebAssets({ directory: empty, logger: { error: (...args: unknown[]) => void logged.push(args) } as never }),
        settings: { serviceName: 'X', basePath: '/', defaultLocale: 'en', passwordLength: { min: 8, max: 256 } },
      });
      for (const url of ['/', '/app/assets/app-X.js']) {
        const answer = await app.inject(url);
        expect([answer.statusCode, answer.json().code], url).toEqual([503, 'web_page_unavailable']);
        expect(answer.json().detail).toContain('npm run build');
      }
      expect(logged).toHaveLength(2); // tried again on each request: a build made meanwhile is picked up
      await app.close();
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });
});

describe('the web page\'s words', () => {
  it('come from the page catalogues: every key its sources use exists (in every language: the catalogue test checks they match)', () => {
    const sources = fs.readdirSync(WEB_SOURCES, { recursive: true, encoding: 'utf8' }).filter((name) => /\.tsx?$/.test(name));
    const used = new Set(sources.flatMap((name) => [...fs.readFileSync(path.join(WEB_SOURCES, name), 'utf8').matchAll(/'((?:app|phone|admin|problems)\.[A-Za-z_]+)'/g)].map((match) => match[1]!)));
    expect(used.size).toBeGreaterThan(100);
    const catalogue = pageCatalogues.en as Record<string, Record<string, string>>;
    expect([...used].filter((key) => catalogue[key.split('.')[0]!]?.[key.split('.')[1]!] === undefined)).toEqual([]);
  });
});
