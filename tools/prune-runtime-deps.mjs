// Run by the Containerfile on a fresh `npm ci --omit=dev` (usage: node tools/prune-runtime-deps.mjs APP_DIR):
// deletes from APP_DIR/node_modules what the bundle (dist/main.mjs, dist/cli.mjs) never loads, to keep the image
// small. What stays is everything reachable from package.json's dependencies through the lock file's
// dependencies, optional dependencies and required peers, except:
// - the build tools: esbuild (npm start's prestart bundles with it) and tsx (bin/voip-onboarding.js runs the
//   TypeScript CLI with it; the image has dist/cli.mjs instead), with whatever only they pull in;
// - redoc's dependencies: the service serves nothing of redoc but its self-contained browser bundle
//   (src/modules/docs/api-docs.ts), so redoc keeps only that file and its package.json.
// Optional peers (typescript, which npm installs for i18next's optional peer) are not followed, hence dropped.
// Then, in what stays, the files Node never reads when running JavaScript: source maps, type declarations,
// TypeScript sources, Markdown, a package's own test and example folders, and PGlite's Postgres extensions
// (archives it loads only for extensions passed to it; src/db/pglite-options.ts passes none).
import fs from 'node:fs';
import path from 'node:path';

const BUILD_ONLY = new Set(['esbuild', 'tsx']);
const KEEP_ONLY_FILES = { redoc: ['package.json', 'LICENSE', 'bundles/redoc.standalone.js'] };
const UNREAD_FILE = /(\.map|\.d\.[cm]?ts|\.[cm]?ts|\.md|\.markdown)$/i;
const UNREAD_PACKAGE_FOLDERS = new Set(['test', 'tests', '__tests__', 'example', 'examples']);
const UNREAD_IN_PACKAGE = { '@electric-sql/pglite': /\.tar\.gz$/ };

const appDir = path.resolve(process.argv[2] ?? '.');
const lock = JSON.parse(fs.readFileSync(path.join(appDir, 'package-lock.json'), 'utf8'));
const packages = lock.packages;

/** The lock-file location a dependency `name` of the package at `from` resolves to, as Node would find it. */
function resolve(from, name) {
  let base = from;
  for (;;) {
    const candidate = `${base ? `${base}/` : ''}node_modules/${name}`;
    if (packages[candidate]) return candidate;
    if (!base) return undefined;
    const parent = base.lastIndexOf('/node_modules/');
    base = parent === -1 ? '' : base.slice(0, parent);
  }
}

const keep = new Set();
const visit = (location) => {
  if (keep.has(location)) return;
  keep.add(location);
  const name = location.slice(location.lastIndexOf('node_modules/') + 'node_modules/'.length);
  if (name in KEEP_ONLY_FILES) return;
  const entry = packages[location];
  const optionalPeers = entry.peerDependenciesMeta ?? {};
  const requiredPeers = Object.keys(entry.peerDependencies ?? {}).filter((peer) => !optionalPeers[peer]?.optional);
  for (const dependency of [...Object.keys(entry.dependencies ?? {}), ...Object.keys(entry.optionalDependencies ?? {}), ...requiredPeers]) {
    const resolved = resolve(location, dependency);
    if (resolved) visit(resolved);
  }
};
for (const dependency of Object.keys(lock.packages[''].dependencies ?? {})) {
  if (BUILD_ONLY.has(dependency)) continue;
  const resolved = resolve('', dependency);
  if (resolved) visit(resolved);
}

let removed = 0;
for (const location of Object.keys(packages)) {
  if (!location || keep.has(location)) continue;
  const directory = path.join(appDir, location);
  if (!fs.existsSync(directory)) continue; // an optional package of another platform, never installed
  fs.rmSync(directory, { recursive: true, force: true });
  removed += 1;
}
for (const [name, files] of Object.entries(KEEP_ONLY_FILES)) {
  const directory = path.join(appDir, 'node_modules', name);
  const kept = new Map(files.filter((file) => fs.existsSync(path.join(directory, file))).map((file) => [file, fs.readFileSync(path.join(directory, file))]));
  fs.rmSync(directory, { recursive: true, force: true });
  for (const [file, content] of kept) {
    fs.mkdirSync(path.dirname(path.join(directory, file)), { recursive: true });
    fs.writeFileSync(path.join(directory, file), content);
  }
}
// Scopes left empty, and the command links (nothing in the image runs a package's bin).
for (const entry of fs.readdirSync(path.join(appDir, 'node_modules'))) {
  const directory = path.join(appDir, 'node_modules', entry);
  if (entry.startsWith('@') && fs.readdirSync(directory).length === 0) fs.rmdirSync(directory);
}
fs.rmSync(path.join(appDir, 'node_modules', '.bin'), { recursive: true, force: true });

let bytes = 0;
const removeFile = (file) => {
  bytes += fs.statSync(file).size;
  fs.rmSync(file);
};
const walk = (directory, visitFile) => {
  for (const entry of fs.readdirSync(directory, { withFileTypes: true })) {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) walk(full, visitFile);
    else if (entry.isFile()) visitFile(full, entry.name);
  }
};
for (const location of keep) {
  const directory = path.join(appDir, location);
  if (!fs.existsSync(directory)) continue;
  const name = location.slice(location.lastIndexOf('node_modules/') + 'node_modules/'.length);
  for (const folder of UNREAD_PACKAGE_FOLDERS) {
    const full = path.join(directory, folder);
    if (fs.existsSync(full) && fs.statSync(full).isDirectory()) {
      walk(full, (file) => removeFile(file));
      fs.rmSync(full, { recursive: true, force: true });
    }
  }
  const unreadHere = UNREAD_IN_PACKAGE[name];
  walk(directory, (file, base) => {
    if (UNREAD_FILE.test(base) || unreadHere?.test(base)) removeFile(file);
  });
}
console.log(`prune-runtime-deps: ${removed} packages removed, ${keep.size} kept, ${(bytes / 1e6).toFixed(1)} MB of unread files removed`);
