// Builds the self-service web page (web/src: Preact with TSX, one CSS file) with esbuild into a few static
// files with content-hashed names, plus manifest.json naming the entry script and style sheet. Used by
// tools/build.mjs (`npm start`'s prestart: dist/web) and, when the service runs from its TypeScript sources
// (tests, `npm run dev`), by src/modules/web-app in memory. Plain JavaScript so tools/build.mjs can import it.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * @param {{ outdir?: string }} [options] where to write the files; without it nothing is written.
 * @returns {Promise<{ files: Map<string, Uint8Array>, manifest: { script: string, style: string } }>}
 */
export async function buildWebApp({ outdir } = {}) {
  // Loaded here, not at the top: the service imports this module only when it runs from its sources.
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: { app: path.join(here, 'src/main.tsx') },
    outdir: path.join(here, 'out'),
    write: false,
    bundle: true,
    format: 'esm',
    target: ['chrome100', 'firefox100', 'safari15'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    minify: true,
    entryNames: '[name]-[hash]',
    legalComments: 'none',
    metafile: true,
    logLevel: 'warning',
  });
  const files = new Map(result.outputFiles.map((file) => [path.basename(file.path), file.contents]));
  const entry = Object.entries(result.metafile.outputs).find(([file, output]) => output.entryPoint !== undefined && file.endsWith('.js'));
  if (!entry || !entry[1].cssBundle) throw new Error('the web page build made no script or no style sheet');
  const manifest = { script: path.basename(entry[0]), style: path.basename(entry[1].cssBundle) };
  if (outdir) {
    fs.rmSync(outdir, { recursive: true, force: true });
    fs.mkdirSync(outdir, { recursive: true });
    for (const [name, contents] of files) fs.writeFileSync(path.join(outdir, name), contents);
    fs.writeFileSync(path.join(outdir, 'manifest.json'), JSON.stringify(manifest));
  }
  return { files, manifest };
}
