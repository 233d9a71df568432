import fs from 'node:fs';

export interface BatchedDestination {
  write(line: string): boolean;
  /** Writes what waits now, without blocking; `done` once it is written. */
  flush(done?: (error?: Error) => void): void;
  /** Writes what waits, blocking: for the `exit` event, when no callback will run any more. */
  flushSync(): void;
}

/** Lines are encoded into blocks of this size as they come; a full block is written at once… */
const BLOCK_BYTES = 64 * 1024;
/** …else the lines go out this long after the first of them at the latest. */
const FLUSH_AFTER_MS = 10;
/** Beyond this many bytes waiting (a reader that stopped reading), new lines are dropped, and counted. */
const MAX_WAITING_BYTES = 32 * 1024 * 1024;
const RETRY_AFTER_MS = 10;

/**
 * Log lines to a file descriptor (standard output) without blocking the event loop, in batches: each line is
 * encoded at once into a 64 KiB block (its string is garbage right away, never kept across a garbage collection),
 * and the lines of up to 10 ms go out in one write(2) on libuv's pool. pino's sonic-boom wrote whenever no
 * write was in flight (one per ~15 lines under load), kept the lines as a growing string whose whole byte length
 * it measured on every line, and encoded each batch twice: ~5 µs per request line (bench/cpu-profile.ts).
 *
 * What waits is written synchronously on `exit` (process.exit, an uncaught exception, the end of the event loop
 * after SIGTERM), so lines logged before a fatal exit are not lost; only SIGKILL loses the ≤ 10 ms still waiting
 * (and a batch being written then). A reader that does not keep up (EAGAIN) is retried; one that is gone (EPIPE)
 * loses its lines, never the process.
 */
export function createBatchedDestination({ fd = 1, onExit = true }: { fd?: number; onExit?: boolean } = {}): BatchedDestination {
  /** Filled parts of blocks, oldest first, not yet written; `current` fills from `used` on. */
  const full: Buffer[] = [];
  let fullBytes = 0;
  let current: Buffer = Buffer.allocUnsafe(BLOCK_BYTES);
  let used = 0;
  let spare: Buffer | undefined;
  let dropped = 0;
  let writing = false;
  let timer: NodeJS.Timeout | undefined;
  /** A part the reader refused for now (EAGAIN), from its unwritten byte on, and the timer that retries it. */
  let refused: { chunk: Buffer; offset: number; retry: NodeJS.Timeout } | undefined;
  let drained: ((error?: Error) => void)[] = [];

  /** Closes the current block's filled part into `full` and starts another (a written one when there is one). */
  function rotate(atLeast: number): void {
    if (used > 0) {
      full.push(current.subarray(0, used));
      fullBytes += used;
    }
    current = atLeast <= BLOCK_BYTES ? (spare ?? Buffer.allocUnsafe(BLOCK_BYTES)) : Buffer.allocUnsafe(atLeast);
    spare = undefined;
    used = 0;
  }

  function append(line: string): void {
    // A UTF-16 code unit takes at most 3 bytes in UTF-8: with that much room the line cannot be cut.
    if (current.length - used < line.length * 3) rotate(line.length * 3);
    used += current.write(line, used, 'utf8');
  }

  const settle = (error?: Error) => drained.splice(0).forEach((callback) => callback(error));

  function writeFrom(chunk: Buffer, offset: number): void {
    fs.write(fd, chunk, offset, chunk.length - offset, null, (error, written) => {
      if (error && (error as NodeJS.ErrnoException).code === 'EAGAIN') {
        const retry = setTimeout(() => {
          refused = undefined;
          writeFrom(chunk, offset);
        }, RETRY_AFTER_MS).unref();
        refused = { chunk, offset, retry };
        return;
      }
      if (!error && offset + written < chunk.length) return writeFrom(chunk, offset + written);
      // A written block is filled again (blocks are whole ArrayBuffers of their own: allocUnsafe above 4 KiB).
      if (chunk.buffer.byteLength === BLOCK_BYTES && current.buffer !== chunk.buffer) spare = Buffer.from(chunk.buffer, 0, BLOCK_BYTES);
      const next = full.shift(); // an EPIPE loses this part only: the next ones are tried
      if (next) {
        fullBytes -= next.length;
        return writeFrom(next, 0);
      }
      writing = false;
      if (used > 0 && drained.length > 0) startWrite();
      else if (used > 0) schedule();
      else settle(error ?? undefined);
    });
  }

  function noteDropped(): void {
    if (dropped === 0) return;
    append(`${JSON.stringify({ level: 40, time: Date.now(), msg: 'Log lines dropped: the log output did not keep up', dropped })}\n`);
    dropped = 0;
  }

  function startWrite(): void {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (writing) return;
    noteDropped();
    if (used > 0) rotate(0);
    if (full.length === 0) return;
    writing = true;
    const first = full.shift()!;
    fullBytes -= first.length;
    writeFrom(first, 0);
  }

  const schedule = () => void (timer ??= setTimeout(startWrite, FLUSH_AFTER_MS).unref());

  function writeSync(chunk: Buffer, from: number): void {
    for (let offset = from; offset < chunk.length; ) {
      try {
        offset += fs.writeSync(fd, chunk, offset, chunk.length - offset);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') return; // the reader is gone
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, RETRY_AFTER_MS);
      }
    }
  }

  const destination: BatchedDestination = {
    write(line: string): boolean {
      if (fullBytes + used > MAX_WAITING_BYTES) {
        dropped += 1;
        return false;
      }
      append(line);
      if (!writing) {
        if (full.length > 0) startWrite();
        else schedule();
      }
      return true;
    },

    flush(done?: (error?: Error) => void): void {
      if (done) drained.push(done);
      if (!writing && used === 0 && full.length === 0) settle();
      else startWrite();
    },

    flushSync(): void {
      if (timer) clearTimeout(timer);
      timer = undefined;
      // A part waiting to be retried goes first; one being written on the pool cannot be waited for here.
      if (refused) {
        clearTimeout(refused.retry);
        writeSync(refused.chunk, refused.offset);
        refused = undefined;
        writing = false;
      }
      noteDropped();
      for (const chunk of full.splice(0)) writeSync(chunk, 0);
      fullBytes = 0;
      writeSync(current.subarray(0, used), 0);
      used = 0;
    },
  };
  if (onExit) process.once('exit', () => destination.flushSync());
  return destination;
}
