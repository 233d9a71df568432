import type { FastifyBaseLogger } from 'fastify';
import type { Bindings, ChildLoggerOptions, LevelWithSilentOrString, LogFn } from 'pino';
import { requestLineWriter, type RequestLineWriter } from './request-line.ts';

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;
type Level = (typeof LEVELS)[number];
type ParentLogger = FastifyBaseLogger & { isLevelEnabled(level: string): boolean };
/** Each parent logger's writer of request lines (request-line.ts), or null when it has none. */
const lineWriters = new WeakMap<object, RequestLineWriter | null>();
/** The last parent asked for and its writer: every request of a service has the same parent. */
let lastParent: object | undefined;
let lastWriter: RequestLineWriter | null = null;

function lineWriterOf(parent: object): RequestLineWriter | null {
  if (parent === lastParent) return lastWriter;
  let writer = lineWriters.get(parent);
  if (writer === undefined) lineWriters.set(parent, (writer = requestLineWriter(parent) ?? null));
  lastParent = parent;
  lastWriter = writer;
  return writer;
}

/**
 * The logger of one request (`request.log`): Fastify's child logger with its `reqId` binding, made only when
 * something logs through it. Fastify makes a pino child for every request; most requests never use it but for
 * their request line, which `lineWithBindings` writes through the parent with the bindings in the line itself
 * (the same JSON: pino writes a child's bindings first, just before the line's own fields), by request-line.ts's
 * writer when it can. Making the child cost ~0.4 µs per request and its garbage, at any level.
 */
export class RequestLogger {
  #child: FastifyBaseLogger | undefined;
  readonly #parent: ParentLogger;
  readonly #reqId: unknown;

  constructor(parent: ParentLogger, reqId: unknown) {
    this.#parent = parent;
    this.#reqId = reqId;
  }

  /** The pino child, made on first use. */
  get real(): FastifyBaseLogger {
    return (this.#child ??= this.#parent.child({ reqId: this.#reqId }));
  }

  get level(): LevelWithSilentOrString {
    return this.#child ? this.#child.level : this.#parent.level;
  }

  set level(level: LevelWithSilentOrString) {
    this.real.level = level;
  }

  /** Whether a line at `level` would be written (no child is made to tell). */
  enabled(level: Level): boolean {
    return this.#child ? (this.#child as ParentLogger).isLevelEnabled(level) : this.#parent.isLevelEnabled(level);
  }

  silent(): void {}

  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.real.child(bindings, options);
  }

  /**
   * The info line of a request that was answered (request-line.ts), when no child was made and the parent
   * allows it; false when it was not written, and the caller logs it through `lineWithBindings`.
   */
  requestLine(method: string, route: string | undefined, url: string, statusCode: number, elapsedMs: number): boolean {
    if (this.#child || !this.#parent.isLevelEnabled('info')) return false;
    return lineWriterOf(this.#parent)?.(this.#reqId, method, route, url, statusCode, elapsedMs) ?? false;
  }

  /** One line with this request's bindings: through the child when there is one, else through the parent. */
  lineWithBindings(level: Level, fields: Record<string, unknown>, msg: string): void {
    if (this.#child) return this.#child[level](fields, msg);
    if (!this.#parent.isLevelEnabled(level)) return;
    // A literal with one spread: V8 copies two spread objects on a slow path (~3 µs, bench/cpu-profile.ts).
    this.#parent[level]({ reqId: this.#reqId, ...fields }, msg);
  }
}

// The level methods, on the prototype (a closure per method per request would cost what the child did).
export interface RequestLogger extends Pick<FastifyBaseLogger, Level> {}
for (const level of LEVELS) {
  RequestLogger.prototype[level] = function (this: RequestLogger, ...args: unknown[]) {
    if (this.enabled(level)) (this.real[level] as (...values: unknown[]) => void)(...args);
  } as LogFn;
}

/**
 * Fastify's childLoggerFactory: a RequestLogger for the bindings Fastify gives every request (`reqId`, its
 * default label), else pino's own child (a route with a level or serializers of its own: none today).
 */
export function requestChildLogger(this: unknown, parent: FastifyBaseLogger, bindings: Bindings, options: ChildLoggerOptions): FastifyBaseLogger {
  let others = 0;
  for (const key in bindings) if (key !== 'reqId') others += 1;
  if (options.level !== undefined || options.serializers !== undefined || others > 0 || !('reqId' in bindings)) return parent.child(bindings, options);
  return new RequestLogger(parent as ParentLogger, bindings.reqId) as unknown as FastifyBaseLogger;
}
