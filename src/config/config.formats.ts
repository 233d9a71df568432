import { isIP } from 'node:net';
import { FormatRegistry } from '@sinclair/typebox';

/**
 * The string formats config.schema.ts names, registered with TypeBox, and the parsers that turn a value of
 * that format into what Config holds. A parser is only called on a value its format accepted.
 */

/** The protocols each URL format accepts (a URL with any other protocol is refused). */
export const URL_PROTOCOLS = {
  'http-url': ['http:', 'https:'],
  'postgres-url': ['postgres:', 'postgresql:'],
  'redis-url': ['redis:', 'rediss:'],
  'smtp-url': ['smtp:', 'smtps:'],
} as const;
export type UrlFormat = keyof typeof URL_PROTOCOLS;

const DURATION_UNITS: Record<string, number> = { '': 1, s: 1, m: 60, h: 3600 };

/** `600`, `600s`, `10m` or `1h`, in seconds, from 30 s to 24 h. */
export function parseDuration(value: string): number {
  const match = /^(\d+)\s*([smh]?)$/.exec(value);
  const seconds = match ? Number(match[1]) * DURATION_UNITS[match[2]!]! : NaN;
  if (!(seconds >= 30 && seconds <= 86_400)) throw new RangeError('not a duration from 30 s to 24 h');
  return seconds;
}

const LONG_DURATION_UNITS: Record<string, number> = { ...DURATION_UNITS, d: 86_400 };
const longSeconds = (value: string) => {
  const match = /^(\d+)\s*([smhd]?)$/.exec(value);
  return match ? Number(match[1]) * LONG_DURATION_UNITS[match[2]!]! : NaN;
};

/** `7d`, `12h`, `90m` or `3600`, in seconds, from 1 min to 365 days. */
export function parseLongDuration(value: string): number {
  const seconds = longSeconds(value);
  if (!(seconds >= 60 && seconds <= 365 * 86_400)) throw new RangeError('not a duration from 1 min to 365 days');
  return seconds;
}

/** Seconds, or a number with s, m, h or d (`30d`, `12h`), in seconds, from 0 (at once) up to 3650 days. */
export function parseHoldDuration(value: string): number {
  const seconds = longSeconds(value);
  if (!(seconds >= 0 && seconds <= 3650 * 86_400)) throw new RangeError('not a duration up to 3650 days');
  return seconds;
}

/** `FIRST-LAST`: 2 to 10 digits each, first ≤ last, no leading zeros. */
export function parseRange(value: string): { first: number; last: number } {
  const match = /^(\d{2,10})-(\d{2,10})$/.exec(value);
  const first = Number(match?.[1]);
  const last = Number(match?.[2]);
  if (!match || first > last || String(first).length !== match[1]!.length) throw new RangeError('not an extension range');
  return { first, last };
}

/** 32 bytes, as 64 hex characters or base64. */
export function parseEncryptionKey(value: string): Buffer {
  const key = /^[0-9a-fA-F]{64}$/.test(value) ? Buffer.from(value, 'hex') : Buffer.from(value, 'base64');
  if (key.length !== 32) throw new RangeError('not a 32-byte key');
  return key;
}

/** A DNS name (letters, digits and hyphens between dots) or an IPv4 address. */
const SIP_HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;

/**
 * `host` or `host:port`: a DNS name, an IPv4 address, or an IPv6 address in brackets (`[2001:db8::1]:5060`, as in
 * a SIP URI). The host comes back as a SIP URI writes it (IPv6 bracketed), the port only when given.
 */
export function parseSipProxy(value: string): { host: string; port?: number } {
  const match = /^(\[[^\]]+\]|[^:[\]]+)(?::(\d{1,5}))?$/.exec(value);
  if (!match) throw new RangeError('not host or host:port');
  const [, host = '', port] = match;
  const valid = host.startsWith('[') ? isIP(host.slice(1, -1)) === 6 : SIP_HOSTNAME.test(host);
  if (!valid) throw new RangeError('not a host name or address');
  if (port === undefined) return { host };
  const number = Number(port);
  if (!(number >= 1 && number <= 65535)) throw new RangeError('not a port');
  return { host, port: number };
}

/** `host` or `host:port` of any TCP service (FREEPBX_AMI_HOST), by the same rules as SIP_PROXY. */
export const parseHostPort = parseSipProxy;

/** Names Fastify's trustProxy (proxy-addr) knows for whole ranges. */
const TRUSTED_RANGE_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

function isAddressOrCidr(entry: string): boolean {
  if (TRUSTED_RANGE_NAMES.has(entry)) return true;
  const [address = '', prefix, ...rest] = entry.split('/');
  const version = isIP(address);
  if (version === 0 || rest.length > 0) return false;
  return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (version === 4 ? 32 : 128));
}

/**
 * `false`, `true` (every hop: compatibility only), a hop count (`1`: the one proxy in front of us), or a comma
 * list of trusted proxy addresses, CIDRs or proxy-addr range names — the forms Fastify's `trustProxy` takes.
 */
export function parseTrustProxy(value: string): boolean | number | string[] {
  if (value === 'false' || value === '0') return false;
  if (value === 'true') return true;
  if (/^\d+$/.test(value)) {
    if (Number(value) > 100) throw new RangeError('hop count');
    return Number(value);
  }
  const entries = value.split(',').map((entry) => entry.trim());
  if (!entries.every(isAddressOrCidr)) throw new RangeError('not a list of addresses');
  return entries;
}

const parses = (parse: (value: string) => unknown) => (value: string) => {
  try {
    parse(value);
    return true;
  } catch {
    return false;
  }
};

for (const [format, protocols] of Object.entries(URL_PROTOCOLS)) {
  FormatRegistry.Set(format, parses((value) => {
    if (!(protocols as readonly string[]).includes(new URL(value).protocol)) throw new RangeError('protocol');
  }));
}
FormatRegistry.Set('duration', parses(parseDuration));
FormatRegistry.Set('long-duration', parses(parseLongDuration));
FormatRegistry.Set('hold-duration', parses(parseHoldDuration));
FormatRegistry.Set('extension-range', parses(parseRange));
FormatRegistry.Set('encryption-key', parses(parseEncryptionKey));
// One address, optionally with a display name: `a@b.example` or `Name <a@b.example>`.
FormatRegistry.Set('mail-from', (value) => /^(?:[^<>@\r\n]*<[^\s<>@]+@[^\s<>@]+>|[^\s<>@]+@[^\s<>@]+)$/.test(value.trim()));
FormatRegistry.Set('trust-proxy', parses(parseTrustProxy));
FormatRegistry.Set('sip-proxy', parses(parseSipProxy));
FormatRegistry.Set('host-port', parses(parseHostPort));
FormatRegistry.Set('32-bytes', (value) => Buffer.byteLength(value) >= 32);
