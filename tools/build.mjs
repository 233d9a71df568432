// Builds the service for `npm start`: src/main.ts and everything it imports, bundled by esbuild into one ES
// module (dist/main.mjs, with a source map), the npm packages left as imports of node_modules. Running plain
// JavaScript instead of TypeScript through tsx's loader saves ~60 MB of the idle process (the loader's thread
// and the transformed sources; docs/PERFORMANCE.md). Takes under a second; `npm start` runs it first.
// The operator's command line is bundled the same way into dist/cli.mjs, for installs that carry no TypeScript
// loader (the container image; bin/voip-onboarding.js runs the sources through tsx instead).
// The SQL migrations are copied beside the bundles: src/db/migrate.ts finds them relative to its own module.
// The web page (web/) is built beside them too, into web/: src/modules/web-app serves it from there.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { buildWebApp } from '../web/build.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outdir = path.resolve(root, process.argv[2] ?? 'dist');

await build({
  entryPoints: [
    { in: path.join(root, 'src/main.ts'), out: 'main' },
    { in: path.join(root, 'src/cli/main.ts'), out: 'cli' },
  ],
  outdir,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
});
fs.rmSync(path.join(outdir, 'migrations'), { recursive: true, force: true });
fs.cpSync(path.join(root, 'src/db/migrations'), path.join(outdir, 'migrations'), { recursive: true });
await buildWebApp({ outdir: path.join(outdir, 'web') });
