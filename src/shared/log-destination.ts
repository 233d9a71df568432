import fs from 'node:fs';

export interface BatchedDestination {
  write(line: string): boolean;
  /** The same for a line the caller knows to be ASCII: its bytes are its characters, none to encode. */
  writeAscii(line: string): boolean;
  /** Writes what waits now; `done` once it is written (later when the reader is full: it is retried). */
  flush(done?: (error?: Error) => void): void;
  /** Writes what waits, waiting for the reader if it must: for the `exit` event, when no callback will run any more. */
  flushSync(): void;
}

/** Node's Buffer has it (what `write(…, 'latin1')` calls after looking the encoding up); its types do not. */
type LatinWritable = Buffer & { latin1Write(text: string, offset: number): number };

/** Lines are encoded into blocks of this size as they come; a full block is written at once… */
const BLOCK_BYTES = 64 * 1024;
/** …else the lines go out this long after the first of them at the latest. */
const FLUSH_AFTER_MS = 10;
/** Beyond this many bytes waiting (a reader that stopped reading), new lines are dropped, and counted. */
const MAX_WAITING_BYTES = 32 * 1024 * 1024;
const RETRY_AFTER_MS = 10; // a full reader (EAGAIN) is tried again this much later

const isEagain = (error: unknown) => (error as NodeJS.ErrnoException).code === 'EAGAIN';

/**
 * Log lines to a file descriptor in batches, written from the event loop's thread, never waiting for the reader:
 * each line is encoded at once into a 64 KiB block, and the lines of up to 10 ms go out in one write(2). A pipe
 * or a socket is non-blocking (logger.ts): what the reader has no room for waits, in order, retried every 10 ms,
 * up to 32 MiB, then lines are dropped and counted. A regular file is written as Node writes its own stdout to
 * one. Not on libuv's pool (sonic-boom's fs.write): its wake-ups cost the loaded process ~15 % more CPU per
 * request on 2 cores (docs/PERFORMANCE.md), and a stalled reader held one of its four threads. The `exit` event
 * (process.exit, an uncaught exception, the loop's end after SIGTERM) writes what waits; only SIGKILL loses the
 * last ≤ 10 ms. A reader that is gone (EPIPE) loses its lines, never the process.
 */
export function createBatchedDestination({ fd = 1, onExit = true }: { fd?: number; onExit?: boolean } = {}): BatchedDestination {
  /** Filled parts of blocks, oldest first, not yet written; the first from `offset` on. `current` fills from `used`. */
  const full: Buffer[] = [];
  let fullBytes = 0;
  let offset = 0;
  let current: Buffer = Buffer.allocUnsafe(BLOCK_BYTES);
  let used = 0;
  let spare: Buffer | undefined;
  let dropped = 0;
  let timer: NodeJS.Timeout | undefined;
  let waitingForReader = false; // the reader is full: nothing is tried before the retry
  let drained: ((error?: Error) => void)[] = [];
  let lostError: Error | undefined;

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

  function appendAscii(line: string): void {
    if (current.length - used < line.length) rotate(line.length);
    used += (current as LatinWritable).latin1Write(line, used);
  }

  function noteDropped(): void {
    if (dropped === 0) return;
    append(`${JSON.stringify({ level: 40, time: Date.now(), msg: 'Log lines dropped: the log output did not keep up', dropped })}\n`);
    dropped = 0;
  }

  /** The first waiting part is written: its block is filled again (blocks above 4 KiB own their ArrayBuffer). */
  function shiftWritten(): void {
    const chunk = full.shift()!;
    fullBytes -= chunk.length;
    offset = 0;
    if (chunk.buffer.byteLength === BLOCK_BYTES && current.buffer !== chunk.buffer) spare = Buffer.from(chunk.buffer, 0, BLOCK_BYTES);
  }

  /** How much of `chunk` from `from` to `to` the reader took: -1 when it is full (EAGAIN), all when it is gone. */
  function writeOut(chunk: Buffer, from: number, to: number): number {
    try {
      return fs.writeSync(fd, chunk, from, to - from);
    } catch (error) {
      if (isEagain(error)) return -1;
      lostError = error as Error; // EPIPE and the like: these lines are lost, the next ones are tried
      return to - from;
    }
  }

  /** Writes what waits, as far as the reader takes it now; false when it is full. */
  function writeWaiting(): boolean {
    noteDropped();
    while (full.length > 0) {
      const written = writeOut(full[0]!, offset, full[0]!.length);
      if (written < 0) return false;
      offset += written;
      if (offset >= full[0]!.length) shiftWritten();
    }
    // Nothing older waits: the current block goes out as it is and is filled again from its start (no new block).
    const written = used === 0 ? 0 : writeOut(current, 0, used);
    if (written < used) {
      rotate(0); // what the reader did not take waits, from its first unwritten byte
      offset = Math.max(0, written);
      return false;
    }
    used = 0;
    return true;
  }

  function writeNow(): void {
    if (timer) clearTimeout(timer);
    timer = undefined;
    waitingForReader = false;
    if (!writeWaiting()) {
      waitingForReader = true;
      timer = setTimeout(writeNow, RETRY_AFTER_MS).unref();
      return;
    }
    const error = lostError;
    lostError = undefined;
    drained.splice(0).forEach((callback) => callback(error));
  }

  function take(line: string, ascii: boolean): boolean {
    if (fullBytes + used > MAX_WAITING_BYTES) {
      dropped += 1;
      return false;
    }
    if (ascii) appendAscii(line);
    else append(line);
    if (waitingForReader) return true;
    if (full.length > 0) writeNow(); // a block is full
    else timer ??= setTimeout(writeNow, FLUSH_AFTER_MS).unref();
    return true;
  }

  const destination: BatchedDestination = {
    write: (line) => take(line, false),
    writeAscii: (line) => take(line, true),
    flush(done) {
      if (done) drained.push(done);
      if (!waitingForReader) writeNow();
    },
    flushSync() {
      if (timer) clearTimeout(timer);
      timer = undefined;
      waitingForReader = false;
      while (!writeWaiting()) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, RETRY_AFTER_MS);
    },
  };
  if (onExit) process.once('exit', () => destination.flushSync());
  return destination;
}
