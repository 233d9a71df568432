import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../tools/testing/free-port.ts';
import { exitOf, startServiceProcess, waitUntilReady } from './support/service-process.ts';

// The service as `npm start` runs it, with nothing configured but a data directory and a port.
const dataDirs: string[] = [];
const freshDataDir = () => {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'vt-lifecycle-'));
  dataDirs.push(directory);
  return directory;
};
afterAll(() => {
  for (const directory of dataDirs) fs.rmSync(directory, { recursive: true, force: true });
});

describe('the service process', () => {
  it('starts on the embedded defaults, serves the web page built with it, refuses a second process on its data, and stops gracefully on SIGTERM with exit code 0', async () => {
    const port = await freePort();
    const dataDir = freshDataDir();
    const output: string[] = [];
    const child = startServiceProcess({ PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir }, output);
    await waitUntilReady(`http://127.0.0.1:${port}`, child, output);
    const text = output.join('');
    expect(text).toContain('No PBX configured');
    expect(text).toContain('not set: using generated keys');

    // Two processes on one embedded database would corrupt it.
    const secondOutput: string[] = [];
    const second = startServiceProcess({ PORT: String(await freePort()), HOST: '127.0.0.1', DATA_DIR: dataDir }, secondOutput);
    expect(await exitOf(second)).toBe(1);
    expect(secondOutput.join('')).toContain(`is in use by process ${child.pid}`);
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);

    // The web page comes with the build (dist/web beside the bundle): nothing else to run.
    const page = await fetch(`http://127.0.0.1:${port}/`);
    expect(page.status).toBe(200);
    const script = /src="(app\/assets\/app-\w+\.js)"/.exec(await page.text())?.[1];
    const built = JSON.parse(fs.readFileSync(path.join(path.dirname(inject('serviceBundle')), 'web/manifest.json'), 'utf8')) as { script: string };
    expect(script).toBe(`app/assets/${built.script}`);
    expect((await fetch(`http://127.0.0.1:${port}/${script}`)).status).toBe(200);

    child.kill('SIGTERM');
    expect(await exitOf(child)).toBe(0);
    expect(output.join('')).toContain('Shutting down');
  }, 90_000); // a first start creates the embedded cluster (in a child process): slow on a shared machine

  it('refuses to start with a weak JWT_SECRET_KEY, naming the variable and exiting with EX_CONFIG (78)', async () => {
    const output: string[] = [];
    const child = startServiceProcess({ PORT: String(await freePort()), DATA_DIR: freshDataDir(), JWT_SECRET_KEY: 'short-secret' }, output);
    expect(await exitOf(child)).toBe(78);
    expect(output.join('')).toContain('JWT_SECRET_KEY is too weak');
    expect(output.join('')).not.toContain('short-secret');
  });
});
