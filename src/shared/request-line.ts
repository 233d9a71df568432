import pino from 'pino';

const {
  chindingsSym, endSym, formattersSym, hooksSym, lsCacheSym, messageKeySym, mixinSym, nestedKeySym,
  needsMetadataGsym, serializersSym, streamSym, stringifiersSym, timeSym, wildcardFirstSym,
} = pino.symbols;
// pino has it (a message prefix), its type declarations do not.
const msgPrefixSym = (pino.symbols as unknown as Record<string, symbol>).msgPrefixSym!;

type Internals = Record<symbol, unknown>;
/** The stream a line goes to; `writeAscii`, when it has it, takes a line known to be ASCII (log-destination.ts). */
type LineStream = { write(line: string): unknown; writeAscii?(line: string): unknown } & Internals;
/** Writes one request line; false when it cannot, and the caller logs through pino instead. */
export type RequestLineWriter = (reqId: unknown, method: string, route: string | undefined, url: string, statusCode: number, elapsedMs: number) => boolean;

const INFO = 30;
const FIELDS = ['reqId', 'method', 'route', 'url', 'statusCode', 'responseTime', 'msg'];
/** What a JSON string holds as it is, with nothing to escape, and what is one byte in UTF-8 too. */
const PLAIN_ASCII = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;
const NOT_ASCII = /[^\x00-\x7f]/;
/** Method and route pairs whose middle part is kept (Node's parser knows ~35 methods; routes are our patterns). */
const MAX_KEPT_MIDDLES = 256;
/** Hundredths of a millisecond below this print exactly as `String(Math.round(ms * 100) / 100)` (no exponent, no rounding). */
const EXACT_HUNDREDTHS_BELOW = 1e15;

/**
 * `Math.round(ms * 100) / 100` printed as String() prints it, from the integer of hundredths (printing a
 * fraction costs ~0.2 µs; an integer is found in V8's number-string cache).
 */
export function hundredthsText(ms: number): string {
  if (!Number.isFinite(ms)) return 'null'; // as JSON has it
  const hundredths = Math.round(ms * 100);
  if (!(hundredths >= 0 && hundredths < EXACT_HUNDREDTHS_BELOW)) return String(hundredths / 100);
  const whole = Math.floor(hundredths / 100);
  const fraction = hundredths - whole * 100;
  if (fraction === 0) return String(whole);
  if (fraction % 10 === 0) return `${whole}.${fraction / 10}`;
  return `${whole}.${fraction < 10 ? '0' : ''}${fraction}`;
}

/**
 * The request line written in the bytes pino writes for `child({ reqId }).info({ method, route, url, statusCode,
 * responseTime }, 'request completed')` (its level and time, the logger's bindings, then the fields, then `msg`),
 * built as one string from parts kept per method and route, escaping only what needs it, and handed to the
 * destination as ASCII when it is. pino's general path looks up serializers and redaction per field, escapes
 * every string with JSON.stringify (~0.2 µs each) and prints the duration's fraction: ~2–3 µs of a ~35 µs request
 * (bench/cpu-profile.ts), a tenth of the default level's budget. Only for a logger with nothing that would change
 * the line (no mixin, log formatter, hook, message prefix or nesting, a plain stream, no serializer or redaction
 * of these fields); else undefined. test/unit/request-logger.test.ts compares its lines with pino's.
 */
export function requestLineWriter(logger: object): RequestLineWriter | undefined {
  const internals = logger as Internals;
  const formatters = internals[formattersSym] as { log?: unknown };
  const stream = internals[streamSym] as LineStream;
  const plain = !internals[mixinSym] && !formatters.log && !(internals[hooksSym] as { streamWrite?: unknown }).streamWrite
    && !internals[msgPrefixSym] && !internals[nestedKeySym] && internals[messageKeySym] === 'msg' && stream[needsMetadataGsym] !== true;
  if (!plain) return undefined;
  const serializers = internals[serializersSym] as Record<string, unknown>;
  const stringifiers = internals[stringifiersSym] as Record<string | symbol, unknown>;
  if (stringifiers[wildcardFirstSym] || FIELDS.some((key) => serializers[key] || stringifiers[key])) return undefined;
  const head = (internals[lsCacheSym] as Record<number, string>)[INFO]!;
  const time = internals[timeSym] as () => string;
  const bindings = `${internals[chindingsSym] as string},"reqId":`;
  const tail = `,"msg":"request completed"${internals[endSym] as string}`;
  // pino's own clocks write digits or an ISO date; another clock's text is not known to be ASCII.
  const constantsAscii = !NOT_ASCII.test(head + bindings + tail) && Object.values(pino.stdTimeFunctions).includes(time as never);
  const writeAscii = typeof stream.writeAscii === 'function' ? stream.writeAscii.bind(stream) : stream.write.bind(stream);
  const write = stream.write.bind(stream);
  /** `,"method":…,"route":…,"url":` by route, then method; route undefined (no route matched) has none. */
  const middles = new Map<string | undefined, Map<string, { text: string; ascii: boolean }>>();
  let kept = 0;

  function middle(method: string, route: string | undefined) {
    const byMethod = middles.get(route);
    const found = byMethod?.get(method);
    if (found) return found;
    const text = `,"method":${JSON.stringify(method)}${route === undefined ? '' : `,"route":${JSON.stringify(route)}`},"url":`;
    const made = { text, ascii: !NOT_ASCII.test(text) };
    if (kept < MAX_KEPT_MIDDLES) {
      kept += 1;
      if (byMethod) byMethod.set(method, made);
      else middles.set(route, new Map([[method, made]]));
    }
    return made;
  }

  return (reqId, method, route, url, statusCode, elapsedMs) => {
    if (typeof reqId !== 'string' || !Number.isInteger(statusCode)) return false;
    const parts = middle(method, route);
    const idPlain = PLAIN_ASCII.test(reqId);
    const urlPlain = PLAIN_ASCII.test(url);
    const line = `${head}${time()}${bindings}${idPlain ? `"${reqId}"` : JSON.stringify(reqId)}${parts.text}`
      + `${urlPlain ? `"${url}"` : JSON.stringify(url)},"statusCode":${statusCode},"responseTime":${hundredthsText(elapsedMs)}${tail}`;
    // JSON.stringify leaves characters above U+007F as they are: only then is the line more than ASCII.
    if (constantsAscii && parts.ascii && (idPlain || !NOT_ASCII.test(reqId)) && (urlPlain || !NOT_ASCII.test(url))) writeAscii(line);
    else write(line);
    return true;
  };
}
