import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');

/**
 * package.json's start script taken apart: the environment it sets before `node` (NAME=value words), the Node
 * flags between `node` and the script, and that script (the bundle `prestart` builds). Benchmarks and process
 * tests start the service exactly this way; the systemd unit and the Containerfile set the same.
 */
export function startCommand(): { env: Record<string, string>; nodeFlags: string[]; script: string } {
  const { scripts } = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: { start: string } };
  const words = scripts.start.split(/\s+/);
  const env: Record<string, string> = {};
  while (/^[A-Z_][A-Z0-9_]*=/.test(words[0] ?? '')) {
    const [name, ...value] = words.shift()!.split('=');
    env[name!] = value.join('=');
  }
  const [program, ...args] = words;
  if (program !== 'node' || args.length === 0) throw new Error(`the start script must run node on a script: ${scripts.start}`);
  return { env, nodeFlags: args.slice(0, -1), script: path.join(root, args.at(-1)!) };
}

/** Builds the service as `npm start`'s prestart does, into `outdir` (default: dist/); returns the bundle's path. */
export function buildService(outdir = path.join(root, 'dist')): string {
  execFileSync(process.execPath, [path.join(root, 'tools/build.mjs'), outdir], { stdio: 'inherit' });
  return path.join(outdir, 'main.mjs');
}
