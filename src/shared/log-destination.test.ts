import { spawn } from 'node:child_process';
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
    const writes = vi.spyOn(fs, 'writeSync');
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

  it('writes what waits on flushSync (the exit event), in order, waiting for a reader that was full', async () => {
    const out = tempFile();
    const eagain = Object.assign(new Error('EAGAIN'), { code: 'EAGAIN' });
    vi.spyOn(fs, 'writeSync').mockImplementationOnce(() => {
      throw eagain;
    });
    const destination = createBatchedDestination({ fd: out.fd, onExit: false });
    destination.write('first\n');
    await sleep(15); // tried once, refused, waiting for its retry
    destination.write('second\n');
    destination.flushSync();
    expect(out.read()).toBe('first\nsecond\n');
  });

  it('loses the lines of a reader that is gone (EPIPE), never the process, and goes on writing', async () => {
    const out = tempFile();
    const epipe = Object.assign(new Error('EPIPE'), { code: 'EPIPE' });
    vi.spyOn(fs, 'writeSync').mockImplementationOnce(() => {
      throw epipe;
    });
    const destination = createBatchedDestination({ fd: out.fd, onExit: false });
    destination.write('lost\n');
    await sleep(50);
    destination.write('kept\n');
    await sleep(50);
    expect(out.read()).toBe('kept\n');
  });

  it('never waits for a pipe whose reader stopped reading: the lines wait, in order, and go out once it reads', async () => {
    // The reader: a process that reads its standard input only after 500 ms, and echoes it back.
    const reader = spawn(process.execPath, ['-e', 'setTimeout(() => process.stdin.pipe(process.stdout), 500)'], { stdio: ['pipe', 'pipe', 'inherit'] });
    let echoed = '';
    reader.stdout.on('data', (chunk: Buffer) => (echoed += chunk.toString()));
    // libuv made the pipe's end non-blocking when it opened it, as Node does for its own standard output.
    const fd = (reader.stdin as unknown as { _handle: { fd: number } })._handle.fd;
    const destination = createBatchedDestination({ fd, onExit: false });
    const lines = [...Array(20_000).keys()].map((i) => `{"i":${i},"pad":"${'x'.repeat(40)}"}\n`); // ~1 MiB, a pipe holds 64 KiB
    const started = performance.now();
    for (const line of lines) destination.write(line);
    const tookMs = performance.now() - started;
    expect(tookMs).toBeLessThan(400); // not held until the reader reads at 500 ms
    await new Promise<void>((resolve) => destination.flush(() => resolve()));
    reader.stdin.end();
    await new Promise((resolve) => reader.once('close', resolve));
    expect(echoed).toBe(lines.join(''));
  });
});
