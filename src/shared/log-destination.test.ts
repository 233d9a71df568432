import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createBatchedDestination } from './log-destination.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function tempFile(): { fd: number; read: () => string } {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'log-destination-')), 'out.log');
  const fd = fs.openSync(file, 'a');
  return { fd, read: () => fs.readFileSync(file, 'utf8') };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('the batched log destination', () => {
  it('writes a lone line within milliseconds, without waiting for a batch to fill', async () => {
    const out = tempFile();
    const destination = createBatchedDestination({ fd: out.fd, onExit: false });
    destination.write('{"msg":"alone"}\n');
    expect(out.read()).toBe(''); // not written synchronously
    await sleep(100);
    expect(out.read()).toBe('{"msg":"alone"}\n');
  });

  it('writes the lines logged together in one write, in order', async () => {
    const out = tempFile();
    const writes = vi.spyOn(fs, 'write');
    const destination = createBatchedDestination({ fd: out.fd, onExit: false });
    for (let i = 0; i < 1000; i++) destination.write(`{"i":${i}}\n`);
    await new Promise<void>((resolve) => destination.flush(() => resolve()));
    expect(writes).toHaveBeenCalledTimes(1);
    expect(out.read().split('\n').filter(Boolean).map((line) => (JSON.parse(line) as { i: number }).i)).toEqual([...Array(1000).keys()]);
  });

  it('keeps every byte and the order across many blocks, multi-byte characters and a line longer than a block', async () => {
    const out = tempFile();
    const destination = createBatchedDestination({ fd: out.fd, onExit: false });
    const lines = [...Array(5000).keys()].map((i) => `{"i":${i},"name":"Zoë ☎ ${'é'.repeat(i % 97)}"}\n`);
    lines.splice(2500, 0, `{"long":"${'☎'.repeat(100_000)}"}\n`);
    for (const line of lines) destination.write(line);
    await new Promise<void>((resolve) => destination.flush(() => resolve()));
    expect(out.read()).toBe(lines.join(''));
  });

  it('writes what waits synchronously on flushSync (the exit event), a refused batch first', async () => {
    const out = tempFile();
    const eagain = Object.assign(new Error('EAGAIN'), { code: 'EAGAIN' });
    vi.spyOn(fs, 'write').mockImplementationOnce(((...args: unknown[]) => {
      const callback = args.at(-1) as (error: Error | null, written: number) => void;
      setImmediate(() => callback(eagain, 0));
    }) as typeof fs.write);
    const destination = createBatchedDestination({ fd: out.fd, onExit: false });
    destination.write('first\n');
    await sleep(50); // written, refused, waiting for its retry
    destination.write('second\n');
    destination.flushSync();
    expect(out.read()).toBe('first\nsecond\n');
  });

  it('loses the lines of a reader that is gone (EPIPE), never the process, and goes on writing', async () => {
    const out = tempFile();
    const epipe = Object.assign(new Error('EPIPE'), { code: 'EPIPE' });
    vi.spyOn(fs, 'write').mockImplementationOnce(((...args: unknown[]) => {
      const callback = args.at(-1) as (error: Error | null, written: number) => void;
      setImmediate(() => callback(epipe, 0));
    }) as typeof fs.write);
    const destination = createBatchedDestination({ fd: out.fd, onExit: false });
    destination.write('lost\n');
    await sleep(50);
    destination.write('kept\n');
    await sleep(50);
    expect(out.read()).toBe('kept\n');
  });
});
