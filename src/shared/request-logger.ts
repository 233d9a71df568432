import type { FastifyBaseLogger } from 'fastify';
import type { Bindings, ChildLoggerOptions, LevelWithSilentOrString, LogFn } from 'pino';
import { infoLineWriter, type LineWriter } from './request-line.ts';

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;
type Level = (typeof LEVELS)[number];
type ParentLogger = FastifyBaseLogger & { isLevelEnabled(level: string): boolean };
/** Each parent logger's fast writer of info lines (request-line.ts), or null when it has none. */
const infoWriters = new WeakMap<object, LineWriter | null>();

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

  /** One line with this request's bindings: through the child when there is one, else through the parent. */
  lineWithBindings(level: Level, fields: Record<string, unknown>, msg: string): void {
    if (this.#child) return this.#child[level](fields, msg);
    if (!this.#parent.isLevelEnabled(level)) return;
    if (level === 'info') {
      let writer = infoWriters.get(this.#parent);
      if (writer === undefined) infoWriters.set(this.#parent, (writer = infoLineWriter(this.#parent) ?? null));
      if (writer?.(this.#reqId, fields, msg)) return;
    }
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
