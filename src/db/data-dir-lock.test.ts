import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { lockDataDirectory } from './data-dir-lock.ts';

const directories: string[] = [];
const freshDirectory = () => {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'vt-lock-'));
  directories.push(directory);
  return directory;
};
afterEach(() => {
  for (const directory of directories.splice(0)) fs.rmSync(directory, { recursive: true, force: true });
});

describe('the embedded database lock', () => {
  it('lets one owner at a time hold a data directory, and frees it on release', () => {
    const directory = freshDirectory();
    const release = lockDataDirectory(directory);
    expect(() => lockDataDirectory(directory)).toThrow(`The embedded database in ${directory} is in use by process ${process.pid}`);
    release();
    lockDataDirectory(directory)();
  });

  it('takes over the lock of a process that died without releasing it', () => {
    const directory = freshDirectory();
    // A pid far above any this machine hands out: the owner is gone.
    fs.writeFileSync(path.join(directory, 'pglite.lock'), '2147483646');
    const release = lockDataDirectory(directory);
    expect(fs.readFileSync(path.join(directory, 'pglite.lock'), 'utf8')).toBe(String(process.pid));
    release();
  });

  it('takes over a lock naming its own pid that it does not hold (a restarted container, pid 1 again)', () => {
    const directory = freshDirectory();
    fs.writeFileSync(path.join(directory, 'pglite.lock'), String(process.pid));
    const release = lockDataDirectory(directory);
    expect(() => lockDataDirectory(directory)).toThrow('is in use by process');
    release();
  });
});
