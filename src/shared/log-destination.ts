import fs from 'node:fs';

export interface BatchedDestination {
  write(line: string): boolean;
  /** Writes what waits now, without blocking; `done` once it is written. */
  flush(done?: (error?: Error) => void): void;
  /** Writes what waits, blocking: for the `exit` event, when no callback will run any more. */
  flushSync(): void;
}

/** A batch goes out this long after its first line at the latest… */
const FLUSH_AFTER_MS = 10;
/** …or at once when this many characters wait. */
const BATCH_CHARS = 64 * 1024;
/** Beyond this many characters waiting (a reader that stopped reading), new lines are dropped, and counted. */
const MAX_WAITING_CHARS = 32 * 1024 * 1024;
const RETRY_AFTER_MS = 10;

/**
 * Log lines to a file descriptor (standard output) without blocking the event loop, written in batches: the
 * lines logged within 10 ms go out in one write(2), done on libuv's pool. A per-line `write` is an array push.
 * pino's own sonic-boom wrote whenever no write was in flight (a write per ~15 lines under load), measured the
 * byte length of its whole growing buffer on every line and encoded each batch twice: ~5 µs of the event
 * loop's time per request line (bench/cpu-profile.ts), and the pool's wake-ups besides.
 *
 * What waits is written synchronously on `exit` (process.exit, an uncaught exception, the end of the event loop
 * after SIGTERM), so lines logged before a fatal exit are not lost; only SIGKILL loses the ≤ 10 ms still
 * waiting (and a batch then being written). A reader that does not keep up (EAGAIN) is retried; one that is
 * gone (EPIPE) loses its lines, never the process.
 */
export function createBatchedDestination({ fd = 1, onExit = true }: { fd?: number; onExit?: boolean } = {}): BatchedDestination {
  let waiting: string[] = [];
  let waitingChars = 0;
  let dropped = 0;
  let writing = false;
  let timer: NodeJS.Timeout | undefined;
  /** A batch the reader refused for now (EAGAIN), from its unwritten part on, and the timer that retries it. */
  let refused: { buffer: Buffer; offset: number; retry: NodeJS.Timeout } | undefined;
  let drained: ((error?: Error) => void)[] = [];

  const take = (): Buffer => {
    if (dropped > 0) {
      waiting.push(`${JSON.stringify({ level: 40, time: Date.now(), msg: 'Log lines dropped: the log output did not keep up', dropped })}\n`);
      dropped = 0;
    }
    const buffer = Buffer.from(waiting.length === 1 ? waiting[0]! : waiting.join(''), 'utf8');
    waiting = [];
    waitingChars = 0;
    return buffer;
  };

  const settle = (error?: Error) => {
    const callbacks = drained;
    drained = [];
    for (const callback of callbacks) callback(error);
  };

  function writeFrom(buffer: Buffer, offset: number): void {
    fs.write(fd, buffer, offset, buffer.length - offset, null, (error, written) => {
      if (error && (error as NodeJS.ErrnoException).code === 'EAGAIN') {
        const retry = setTimeout(() => {
          refused = undefined;
          writeFrom(buffer, offset);
        }, RETRY_AFTER_MS).unref();
        refused = { buffer, offset, retry };
        return;
      }
      if (!error && offset + written < buffer.length) {
        writeFrom(buffer, offset + written);
        return;
      }
      writing = false;
      if (waitingChars >= BATCH_CHARS || (waiting.length > 0 && drained.length > 0)) startWrite();
      else if (waiting.length > 0) schedule();
      else settle(error ?? undefined);
    });
  }

  function writeSync(buffer: Buffer, from: number): void {
    for (let offset = from; offset < buffer.length; ) {
      try {
        offset += fs.writeSync(fd, buffer, offset, buffer.length - offset);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') return; // the reader is gone
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, RETRY_AFTER_MS);
      }
    }
  }

  function startWrite(): void {
    if (timer) {
      clearTimeout(timer);
      timer = undefined;
    }
    if (writing || waiting.length === 0) return;
    writing = true;
    writeFrom(take(), 0);
  }

  function schedule(): void {
    timer ??= setTimeout(() => {
      timer = undefined;
      startWrite();
    }, FLUSH_AFTER_MS).unref();
  }

  const destination: BatchedDestination = {
    write(line: string): boolean {
      if (waitingChars > MAX_WAITING_CHARS) {
        dropped += 1;
        return false;
      }
      waiting.push(line);
      waitingChars += line.length;
      if (writing) return true;
      if (waitingChars >= BATCH_CHARS) startWrite();
      else schedule();
      return true;
    },

    flush(done?: (error?: Error) => void): void {
      if (done) drained.push(done);
      if (!writing && waiting.length === 0) settle();
      else startWrite();
    },

    flushSync(): void {
      if (timer) clearTimeout(timer);
      timer = undefined;
      // A batch waiting to be retried goes first; one being written on the pool cannot be waited for here.
      if (refused) {
        clearTimeout(refused.retry);
        writeSync(refused.buffer, refused.offset);
        refused = undefined;
        writing = false;
      }
      if (waiting.length > 0 || dropped > 0) writeSync(take(), 0);
    },
  };
  if (onExit) process.once('exit', () => destination.flushSync());
  return destination;
}
