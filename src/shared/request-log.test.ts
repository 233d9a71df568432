import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loggedUrl } from './logger.ts';

const root = path.resolve(import.meta.dirname, '../..');

/** Runs `script` (ESM, may import the service's .ts files) in a fresh Node process; resolves with its stdout. */
function runNode(script: string): Promise<{ code: number | null; stdout: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout })));
}

describe('loggedUrl', () => {
  it('drops the query string under /auth and /provisioning, keeps it elsewhere, and cuts out link tokens', () => {
    expect(loggedUrl('/auth/login?password=hunter22')).toBe('/auth/login');
    expect(loggedUrl('/auth?x=1')).toBe('/auth');
    expect(loggedUrl('/provisioning/TOKEN123/qr.png?size=4')).toBe('/provisioning/[redacted]/qr.png');
    expect(loggedUrl('/sip/credentials?format=x')).toBe('/sip/credentials?format=x');
    expect(loggedUrl('/authority?token=abc')).toBe('/authority?token=[redacted]');
  });
});

describe('the standard output destination', () => {
  it('loses no line when the process exits at once after logging, as on a fatal error', async () => {
    const { code, stdout } = await runNode(`
      import { createLogger, stdoutLogDestination } from './src/shared/logger.ts';
      const logger = createLogger({ level: 'info', destination: stdoutLogDestination('json') });
      for (let i = 0; i < 20000; i++) logger.info({ i }, 'line');
      logger.error('the end');
      process.exit(3);
    `);
    expect(code).toBe(3);
    const lines = stdout.split('\n').filter(Boolean);
    expect(lines).toHaveLength(20001);
    expect(JSON.parse(lines.at(-1)!)).toMatchObject({ msg: 'the end' });
  });

  it('loses no line when the event loop ends (as after a graceful SIGTERM) or on an uncaught exception', async () => {
    const drained = await runNode(`
      import { createLogger, stdoutLogDestination } from './src/shared/logger.ts';
      const logger = createLogger({ level: 'info', destination: stdoutLogDestination('json') });
      for (let i = 0; i < 20000; i++) logger.info({ i }, 'line');
    `);
    expect(drained.stdout.split('\n').filter(Boolean)).toHaveLength(20000);
    const crashed = await runNode(`
      import { createLogger, stdoutLogDestination } from './src/shared/logger.ts';
      const logger = createLogger({ level: 'info', destination: stdoutLogDestination('json') });
      for (let i = 0; i < 20000; i++) logger.info({ i }, 'line');
      throw new Error('boom');
    `);
    expect(crashed.code).toBe(1);
    expect(crashed.stdout.split('\n').filter(Boolean)).toHaveLength(20000);
  });

  it('never holds the event loop when the reader of standard output stops reading (a stalled log collector)', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', `
      import { createLogger, stdoutLogDestination } from './src/shared/logger.ts';
      const logger = createLogger({ level: 'info', destination: stdoutLogDestination('json') });
      const started = performance.now();
      for (let i = 0; i < 20000; i++) logger.info({ i, pad: 'x'.repeat(40) }, 'line');
      process.stderr.write(String(performance.now() - started));
    `], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let took = '';
    child.stderr.on('data', (chunk: Buffer) => (took += chunk.toString()));
    // Standard output is not read for a second: ~2 MiB of lines against a pipe that holds far less.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    await new Promise((resolve) => child.once('close', resolve));
    expect(Number(took)).toBeGreaterThan(0);
    expect(Number(took)).toBeLessThan(700);
    const lines = stdout.split('\n').filter(Boolean);
    expect(lines).toHaveLength(20000);
    expect(lines.map((line) => (JSON.parse(line) as { i: number }).i)).toEqual([...Array(20000).keys()]);
  });
});
