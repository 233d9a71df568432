import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import type { Logger } from 'pino';

/** One file of the page, kept in memory with its compressed forms (the whole page is some tens of KB). */
export interface WebAsset {
  contentType: string;
  identity: Buffer;
  gzip: Buffer;
  br: Buffer;
}

export interface WebAssets {
  /** The entry script and style sheet, by their content-hashed names. */
  manifest: { script: string; style: string };
  files: Map<string, WebAsset>;
}

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

function prepare(files: Iterable<[string, Uint8Array]>, manifest: WebAssets['manifest']): WebAssets {
  const prepared = new Map<string, WebAsset>();
  for (const [name, contents] of files) {
    const identity = Buffer.from(contents);
    prepared.set(name, {
      contentType: CONTENT_TYPES[path.extname(name)] ?? 'application/octet-stream',
      identity,
      gzip: gzipSync(identity, { level: 9 }),
      br: brotliCompressSync(identity, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }),
    });
  }
  if (!prepared.has(manifest.script) || !prepared.has(manifest.style)) throw new Error('the web page manifest names files the build does not hold');
  return { manifest, files: prepared };
}

function readDirectory(directory: string): WebAssets {
  const manifest = JSON.parse(fs.readFileSync(path.join(directory, 'manifest.json'), 'utf8')) as WebAssets['manifest'];
  const names = fs.readdirSync(directory).filter((name) => name !== 'manifest.json');
  return prepare(names.map((name) => [name, fs.readFileSync(path.join(directory, name))]), manifest);
}

const here = path.dirname(fileURLToPath(import.meta.url));
/** Run from the TypeScript sources (tests, `npm run dev`) rather than from the bundle `npm start` builds. */
const fromSources = import.meta.url.endsWith('.ts');

/**
 * Where the page comes from: `directory` when given; else dist/web, which tools/build.mjs writes beside the
 * bundle (dist/main.mjs, whose module this code is part of); else, when the service runs from its sources,
 * a build of web/ in memory, so tests and `npm run dev` never serve a stale or missing dist/. Loaded on the
 * first request (an idle service holds nothing of it); undefined, logged once per attempt, if neither works:
 * the routes then answer 503 `web_page_unavailable` instead of failing the service.
 */
export function createWebAssets({ directory, logger }: { directory?: string; logger: Pick<Logger, 'error'> }): () => Promise<WebAssets | undefined> {
  let loading: Promise<WebAssets | undefined> | undefined;
  async function load(): Promise<WebAssets | undefined> {
    const built = directory ?? path.join(here, 'web');
    if (fs.existsSync(path.join(built, 'manifest.json'))) return readDirectory(built);
    if (directory !== undefined || !fromSources) throw new Error(`the web page is not built: no ${path.join(built, 'manifest.json')} (npm run build writes it)`);
    const { buildWebApp } = await import('../../../web/build.mjs');
    const { files, manifest } = await buildWebApp();
    return prepare(files, manifest);
  }
  return () =>
    (loading ??= load().catch((error: unknown) => {
      logger.error({ err: error }, 'The web page cannot be served');
      loading = undefined; // the next request tries again (a build may have been run meanwhile)
      return undefined;
    }));
}

/** The encoding to send for an Accept-Encoding header: brotli, else gzip, else none (q=0 honoured). */
export function chooseEncoding(acceptEncoding: string | undefined): 'br' | 'gzip' | 'identity' {
  const accepted = new Set(
    (acceptEncoding ?? '')
      .split(',')
      .map((part) => part.trim().toLowerCase().split(';'))
      .filter(([, ...params]) => !params.some((param) => /^\s*q\s*=\s*0(\.0*)?\s*$/.test(param)))
      .map(([name]) => name),
  );
  if (accepted.has('br')) return 'br';
  return accepted.has('gzip') ? 'gzip' : 'identity';
}
