import fs from 'node:fs';
import { SourceMap } from 'node:module';
import path from 'node:path';

const PINO = 'logging: pino';
/** The parts of a credentials read the profile is split into, with what marks each (matched on the original source file). */
const FEATURES: [feature: string, test: RegExp][] = [
  ['logging: request line', /src\/shared\/request-log\.ts|src\/shared\/logger\.ts/],
  ['metrics', /src\/modules\/metrics\/|node_modules\/prom-client\//],
  ['auth: JWT check', /src\/modules\/auth\/(authenticate|access-tokens)\.ts|node_modules\/fast-jwt\//],
  ['session check', /src\/modules\/auth\/session-cache\.ts/],
  ['account cache', /src\/modules\/sip-accounts\/account-cache\.ts|src\/db\/notified-cache\.ts/],
  ['access log record', /src\/modules\/credential-access\/|src\/modules\/sip-accounts\/credential-access\.port\.ts/],
  ['security headers hook', /src\/shared\/security-headers\.ts/],
  ['route handler (rest)', /src\/modules\/sip-accounts\/(sip-accounts\.(routes|usecases))\.ts/],
  ['database client', /node_modules\/(pg|pg-protocol|pg-pool|drizzle-orm|@electric-sql)\//],
  [PINO, /node_modules\/(pino|sonic-boom|fast-redact|@pinojs|quick-format-unescaped|fast-safe-stringify|safe-stable-stringify)\//],
  ['response serialization', /node_modules\/(fast-json-stringify|@fastify\/fast-json-stringify-compiler)\//],
  ['rate limit', /node_modules\/@fastify\/rate-limit\//],
];
/** Frames that belong to whoever called them (a library used by a feature above), else to these fallbacks. */
const FALLBACKS: [feature: string, test: RegExp][] = [
  ['fastify core (routing, hooks, reply)', /node_modules\/(fastify|find-my-way|avvio|light-my-request|@fastify\/)/],
  ['other src', /src\//],
  ['other packages', /node_modules\//],
  ['node http, net, streams', /^node:|^internal\//],
];
const FRAMEWORK = /node_modules\/(fastify|find-my-way|avvio)\//;
/** Native functions that write to a socket or file: their samples include time the thread was preempted there. */
const WRITES = new Set(['writev', 'writeBuffer', 'writeUtf8String', 'writeLatin1String', 'writeString']);

interface ProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number }; children?: number[] }
interface Profile { nodes: ProfileNode[]; startTime: number; endTime: number; samples: number[]; timeDeltas: number[] }

function sourceOf(url: string, maps: Map<string, SourceMap | null>, line: number, column: number): string {
  if (!url.startsWith('file://')) return url;
  const file = new URL(url).pathname;
  if (!maps.has(file)) {
    const mapFile = `${file}.map`;
    maps.set(file, fs.existsSync(mapFile) ? new SourceMap(JSON.parse(fs.readFileSync(mapFile, 'utf8'))) : null);
  }
  const map = maps.get(file);
  const entry = map?.findEntry(line, column) as { originalSource?: string } | undefined;
  return entry?.originalSource ? entry.originalSource.replace(/^.*?(src\/|node_modules\/)/, '$1') : path.relative(process.cwd(), file);
}

/**
 * Splits the main thread's samples taken between `fromUs` and `toUs` (the profile's clock: CLOCK_MONOTONIC in
 * µs, as process.hrtime) by feature. A sample belongs to the innermost frame that marks a feature, so work a
 * library does for a feature (lru-cache for the session check, Buffer writes for the log) counts for it.
 * Returns each feature's share of the busy samples (idle excluded), and the busy share of the window.
 */
export function summarizeProfile(file: string, fromUs: number, toUs: number) {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const maps = new Map<string, SourceMap | null>();
  const featureOf = new Map<number, string>();
  const classify = (id: number): string => {
    const known = featureOf.get(id);
    if (known) return known;
    let fallback: string | undefined;
    let feature: string | undefined;
    for (let at: number | undefined = id; at !== undefined && !feature; at = parent.get(at)) {
      const { callFrame } = byId.get(at)!;
      if (at === id && !callFrame.url && WRITES.has(callFrame.functionName)) {
        feature = 'socket and file writes (syscall)';
        break;
      }
      if (['(idle)', '(garbage collector)', '(program)'].includes(callFrame.functionName)) {
        feature = callFrame.functionName;
        break;
      }
      const source = sourceOf(callFrame.url, maps, callFrame.lineNumber, callFrame.columnNumber);
      feature = FEATURES.find(([, test]) => test.test(source))?.[0];
      fallback ??= callFrame.url ? FALLBACKS.find(([, test]) => test.test(source))?.[0] : undefined;
      if (feature === PINO) feature = pinoCaller(parent.get(at));
      // Fastify calls on (the next hook, the handler, the reply): what runs under it is its own or a part's of its
      // own, never the part whose hook called `done()` further up the stack.
      if (!feature && FRAMEWORK.test(source)) break;
    }
    const result = feature ?? fallback ?? 'native / unattributed';
    featureOf.set(id, result);
    return result;
  };
  // pino's work belongs to the request's child logger (made by Fastify for every request), the request line, or other lines.
  const pinoCaller = (from: number | undefined): string => {
    for (let at = from; at !== undefined; at = parent.get(at)) {
      const { callFrame } = byId.get(at)!;
      if (callFrame.functionName === 'createChildLogger') return 'logging: child logger per request';
      if (sourceOf(callFrame.url, maps, callFrame.lineNumber, callFrame.columnNumber).includes('src/shared/request-log.ts')) return 'logging: request line';
    }
    return 'logging: pino writes and other lines';
  };
  const counts = new Map<string, number>();
  let time = profile.startTime;
  let inWindow = 0;
  for (let index = 0; index < profile.samples.length; index++) {
    time += profile.timeDeltas[index]!;
    if (time < fromUs || time > toUs) continue;
    inWindow += 1;
    const feature = classify(profile.samples[index]!);
    counts.set(feature, (counts.get(feature) ?? 0) + 1);
  }
  const idle = counts.get('(idle)') ?? 0;
  counts.delete('(idle)');
  const busy = inWindow - idle;
  const shares = [...counts].map(([feature, count]) => ({ feature, share: count / Math.max(1, busy) })).sort((a, b) => b.share - a.share);
  return { shares, busyShare: busy / Math.max(1, inWindow), samples: inWindow };
}
