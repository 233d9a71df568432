import type { Logger } from 'pino';
import type { AccessEntry, CredentialAccessRepository } from './credential-access.repository.ts';

export interface AccessRecorderOptions {
  /** A batch is written at least this often while entries wait. */
  flushIntervalMs: number;
  /** …and at once when this many wait; also the most rows one INSERT carries. */
  batchSize: number;
  /** The most entries held while the database does not take them; past it the oldest are dropped. */
  maxBuffered: number;
}

const DEFAULTS: AccessRecorderOptions = { flushIntervalMs: 1_000, batchSize: 500, maxBuffered: 50_000 };
const USER_AGENT_MAX = 512;
const WARN_EVERY_MS = 60_000;
/** Identical deliveries (same user, channel, address and user agent) this close together share one entry. */
const COALESCE_MS = 1_000;

/**
 * Write-behind recording of credential deliveries: `record` only appends to memory (the hot path pays a push),
 * and a batch is written with one multi-row INSERT every `flushIntervalMs` or every `batchSize` entries.
 * Identical deliveries within a second (a client polling in a loop) share one entry with a `count`: each row
 * costs the embedded database CPU on this very process, and such a burst says nothing more than its count.
 * The trade-off, chosen so that the log never slows or fails a credential read: entries not yet written are
 * lost if the process dies (at most about a second's worth; a graceful stop writes them), and while the
 * database is down they wait in memory up to `maxBuffered`, beyond which the oldest are dropped and counted
 * in a warning.
 */
export function createAccessRecorder({ repository, logger, options = {} }: {
  repository: Pick<CredentialAccessRepository, 'insertMany'>;
  logger: Logger;
  options?: Partial<AccessRecorderOptions>;
}) {
  const { flushIntervalMs, batchSize, maxBuffered } = { ...DEFAULTS, ...options };
  let buffer: AccessEntry[] = [];
  /** The entries of the buffer that identical deliveries may still join, by what makes them identical. */
  const open = new Map<string, AccessEntry>();
  let dropped = 0;
  let failingSince: number | undefined;
  let lastWarnAt = 0;
  let flushing: Promise<void> | undefined;
  let closed = false;
  const timer = setInterval(() => void flush(), flushIntervalMs).unref();

  function keepWithinBound(): void {
    if (buffer.length <= maxBuffered) return;
    const excess = buffer.length - maxBuffered;
    buffer = buffer.slice(excess);
    dropped += excess;
  }

  /** Writes batches until the buffer is empty or an INSERT fails (the batch then goes back, oldest first). */
  async function drain(): Promise<void> {
    open.clear();
    while (buffer.length > 0) {
      const batch = buffer.splice(0, batchSize);
      try {
        await repository.insertMany(batch);
      } catch (error) {
        buffer = batch.concat(buffer);
        keepWithinBound();
        // Once when writing starts to fail, then once a minute: not a line per second while the database is down.
        if (failingSince === undefined || Date.now() - lastWarnAt >= WARN_EVERY_MS) {
          failingSince ??= Date.now();
          lastWarnAt = Date.now();
          logger.warn({ err: error, buffered: buffer.length, dropped }, 'Credential access log not written: entries wait in memory, the oldest dropped beyond the bound');
        }
        return;
      }
    }
    if (failingSince !== undefined) {
      logger.warn({ dropped }, `Credential access log written again; ${dropped} entries were dropped meanwhile`);
      failingSince = undefined;
      dropped = 0;
    }
  }

  /** Writes what waits now; one flush at a time (a caller arriving meanwhile shares it). Never throws. */
  function flush(): Promise<void> {
    flushing ??= drain().finally(() => (flushing = undefined));
    return flushing;
  }

  return {
    record(entry: { userId: string; channel: string; address: string; userAgent: string | undefined }): void {
      const userAgent = entry.userAgent === undefined ? null : entry.userAgent.slice(0, USER_AGENT_MAX);
      const key = `${entry.userId}\n${entry.channel}\n${entry.address}\n${userAgent ?? '\0'}`;
      const now = Date.now();
      const same = open.get(key);
      if (same && now - same.accessedAt.getTime() < COALESCE_MS) {
        same.count += 1;
        return;
      }
      const created: AccessEntry = { userId: entry.userId, channel: entry.channel, accessedAt: new Date(now), address: entry.address, userAgent, count: 1 };
      buffer.push(created);
      open.set(key, created);
      if (buffer.length > maxBuffered) keepWithinBound();
      if (buffer.length >= batchSize && !closed) void flush();
    },

    flush,

    /** Entries waiting to be written (for tests and the shutdown log). */
    get pending(): number {
      return buffer.length;
    },

    /** Stops the timer and writes what is left (once; a database that is down by then loses it, logged). */
    async close(): Promise<void> {
      closed = true;
      clearInterval(timer);
      await flush();
      if (buffer.length > 0) await flush();
      if (buffer.length > 0) logger.warn({ lost: buffer.length }, 'Credential access log: entries not written at shutdown');
    },
  };
}

export type AccessRecorder = ReturnType<typeof createAccessRecorder>;
