import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { chooseLogFormat } from '../../src/shared/logger.ts';
import { loadConfig } from '../../src/config/load-config.ts';

const root = path.resolve(import.meta.dirname, '../..');

function logWith(format: string): Promise<string> {
  const script = `
    import { createLogger, stdoutLogDestination } from './src/shared/logger.ts';
    const logger = createLogger({ level: 'info', destination: stdoutLogDestination('${format}') });
    logger.info({ password: 'hunter2-secret', extension: '1000' }, 'account created');
    process.exit(0);`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  return new Promise((resolve) => child.once('close', () => resolve(stdout)));
}

describe('LOG_FORMAT', () => {
  it('defaults to pretty on a terminal and JSON elsewhere; the variable wins', () => {
    expect(chooseLogFormat(undefined, true)).toBe('pretty');
    expect(chooseLogFormat(undefined, false)).toBe('json');
    expect(chooseLogFormat('json', true)).toBe('json');
    expect(chooseLogFormat('pretty', false)).toBe('pretty');
    expect(loadConfig({ LOG_FORMAT: 'pretty' }).logFormat).toBe('pretty');
    expect(() => loadConfig({ LOG_FORMAT: 'xml' })).toThrow(/LOG_FORMAT/);
  });

  it('pretty prints a readable line, still redacted; json prints one JSON object', async () => {
    const [pretty, json] = await Promise.all([logWith('pretty'), logWith('json')]);
    expect(pretty).toMatch(/INFO.*account created/);
    expect(pretty).toContain('[redacted]');
    expect(pretty).not.toContain('hunter2-secret');
    expect(() => JSON.parse(pretty)).toThrow();
    expect(JSON.parse(json)).toMatchObject({ msg: 'account created', password: '[redacted]', extension: '1000' });
  });
});
