import os from 'node:os';
import path from 'node:path';
import { configVariables, type ConfigVariableName } from './config.schema.ts';

export type PbxDriverName = 'none' | 'freepbx' | 'kamailio';
export type SipTransport = 'udp' | 'tcp' | 'tls';

export interface Config {
  host: string;
  port: number;
  logLevel: string;
  dataDir: string;
  databaseUrl: string | undefined;
  databasePoolSize: number;
  /** Undefined until resolved by `resolveGeneratedSecrets` (generated keys kept in DATA_DIR). */
  jwtSecretKey: string | undefined;
  jwtIssuer: string;
  jwtAudience: string;
  accessTokenExpireMinutes: number;
  credentialsEncryptionKey: Buffer | undefined;
  extensionRange: { first: number; last: number };
  sip: { domain: string; port: number; transport: SipTransport };
  pbxDriver: PbxDriverName;
  provisionWaitMs: number;
  accountCacheTtlMs: number;
  /** A claimed job (or the apply lease) whose worker died is taken over after this long. */
  provisioningJobLeaseMs: number;
  passwordHashConcurrency: number;
  authRateLimitPerMinute: number;
  rateLimitRedisUrl: string | undefined;
  bodyLimitBytes: number;
  trustProxy: boolean;
  freepbx: {
    host: string | undefined;
    clientId: string | undefined;
    clientSecret: string | undefined;
    apiToken: string | undefined;
    requestTimeoutMs: number;
    applyTimeoutMs: number;
    applyPollIntervalMs: number;
  };
  kamailio: {
    databaseUrl: string | undefined;
    domain: string;
    passwordStorage: 'plain' | 'ha1' | 'both';
  };
  provisioning: {
    /** No trailing slash. */
    publicBaseUrl: string;
    linkTtlSeconds: number;
    linkMode: 'once' | 'device';
    /** Also treat a fetch without any Accept header as Linphone's (old liblinphone sends no X-Linphone-Provisioning). */
    acceptLegacyLinphone: boolean;
    rateLimitPerMinute: number;
    acrobitsCloudId: string | undefined;
    sessionTalkProviderId: string | undefined;
  };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Reads and validates every variable at once, so an operator sees all mistakes in one go. Messages name
 * the variable but never echo the value of a secret one.
 */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const problems: string[] = [];
  const raw = (name: ConfigVariableName): string | undefined => {
    const value = env[name]?.trim();
    if (value !== undefined && value !== '') return value;
    const spec = configVariables[name];
    return 'default' in spec ? spec.default : undefined;
  };
  const shown = (name: ConfigVariableName, value: string) =>
    'secret' in configVariables[name] ? '' : ` (got "${value}")`;
  const integer = (name: ConfigVariableName, min: number, max: number): number => {
    const value = raw(name) ?? '';
    const parsed = Number(value);
    if (!/^\d+$/.test(value) || parsed < min || parsed > max) {
      problems.push(`${name} must be a whole number from ${min} to ${max}${shown(name, value)}`);
      return min;
    }
    return parsed;
  };
  const oneOf = <T extends string>(name: ConfigVariableName, allowed: readonly T[], fallback: T): T => {
    const value = raw(name) ?? fallback;
    if ((allowed as readonly string[]).includes(value)) return value as T;
    problems.push(`${name} must be one of ${allowed.join(', ')}${shown(name, value)}`);
    return fallback;
  };
  const url = (name: ConfigVariableName, protocols: string[]): string | undefined => {
    const value = raw(name);
    if (value === undefined) return undefined;
    try {
      const parsed = new URL(value);
      if (!protocols.includes(parsed.protocol)) throw new Error('protocol');
      return value;
    } catch {
      problems.push(`${name} must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`);
      return undefined;
    }
  };

  const jwtSecretKey = raw('JWT_SECRET_KEY');
  if (jwtSecretKey !== undefined && Buffer.byteLength(jwtSecretKey) < 32) {
    problems.push('JWT_SECRET_KEY is too weak: it must be at least 32 bytes long (e.g. `openssl rand -hex 32`)');
  }
  const credentialsEncryptionKey = parseEncryptionKey(raw('CREDENTIALS_ENCRYPTION_KEY'), problems);
  const extensionRange = parseRange(raw('EXTENSION_RANGE') ?? '', problems);

  const freepbxHost = url('FREEPBX_HOST', ['http:', 'https:']);
  const pbxDriver = oneOf<PbxDriverName>('PBX_DRIVER', ['none', 'freepbx', 'kamailio'], freepbxHost ? 'freepbx' : 'none');
  const freepbx = {
    host: freepbxHost,
    clientId: raw('FREEPBX_CLIENT_ID'),
    clientSecret: raw('FREEPBX_CLIENT_SECRET'),
    apiToken: raw('FREEPBX_API_TOKEN'),
    requestTimeoutMs: integer('FREEPBX_REQUEST_TIMEOUT_MS', 100, 600_000),
    applyTimeoutMs: integer('FREEPBX_APPLY_TIMEOUT_MS', 1_000, 3_600_000),
    applyPollIntervalMs: integer('FREEPBX_APPLY_POLL_INTERVAL_MS', 10, 60_000),
  };
  if (pbxDriver === 'freepbx') {
    if (!freepbx.host) problems.push('PBX_DRIVER=freepbx needs FREEPBX_HOST');
    const hasClient = Boolean(freepbx.clientId && freepbx.clientSecret);
    if (!hasClient && !freepbx.apiToken) {
      problems.push('PBX_DRIVER=freepbx needs FREEPBX_CLIENT_ID and FREEPBX_CLIENT_SECRET (or FREEPBX_API_TOKEN)');
    }
  }
  const sipDomain = raw('SIP_DOMAIN') ?? 'localhost';
  const kamailio = {
    databaseUrl: url('KAMAILIO_DATABASE_URL', ['postgres:', 'postgresql:']),
    domain: raw('KAMAILIO_DOMAIN') ?? sipDomain,
    passwordStorage: oneOf('KAMAILIO_PASSWORD_STORAGE', ['plain', 'ha1', 'both'] as const, 'both'),
  };
  if (pbxDriver === 'kamailio' && !kamailio.databaseUrl) problems.push('PBX_DRIVER=kamailio needs KAMAILIO_DATABASE_URL');

  const port = integer('PORT', 0, 65535);
  const provisioning = {
    publicBaseUrl: (url('PUBLIC_BASE_URL', ['http:', 'https:']) ?? `http://localhost:${port}`).replace(/\/+$/, ''),
    linkTtlSeconds: parseDuration('PROVISIONING_LINK_TTL', raw('PROVISIONING_LINK_TTL') ?? '', problems),
    linkMode: oneOf('PROVISIONING_LINK_MODE', ['once', 'device'] as const, 'once'),
    acceptLegacyLinphone: oneOf('PROVISIONING_ACCEPT_LEGACY_LINPHONE', ['true', 'false'] as const, 'false') === 'true',
    rateLimitPerMinute: integer('PROVISIONING_RATE_LIMIT_PER_MINUTE', 1, 1_000_000),
    acrobitsCloudId: raw('ACROBITS_CLOUD_ID'),
    sessionTalkProviderId: raw('SESSIONTALK_PROVIDER_ID'),
  };
  if (provisioning.acrobitsCloudId !== undefined && !/^[A-Za-z0-9]+\*?$/.test(provisioning.acrobitsCloudId)) {
    problems.push(`ACROBITS_CLOUD_ID holds only letters and digits, optionally followed by "*" (got "${provisioning.acrobitsCloudId}")`);
  }
  if (provisioning.sessionTalkProviderId !== undefined && !/^[^|\s]+$/.test(provisioning.sessionTalkProviderId)) {
    problems.push('SESSIONTALK_PROVIDER_ID cannot hold "|" or whitespace');
  }

  const trustProxy = oneOf('TRUST_PROXY', ['true', 'false'] as const, 'false') === 'true';
  const config: Config = {
    host: raw('HOST') ?? '0.0.0.0',
    port,
    logLevel: oneOf('LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, 'info'),
    dataDir: path.resolve(raw('DATA_DIR') ?? './data'),
    databaseUrl: url('DATABASE_URL', ['postgres:', 'postgresql:']),
    databasePoolSize: integer('DATABASE_POOL_SIZE', 1, 200),
    jwtSecretKey,
    jwtIssuer: raw('JWT_ISSUER') ?? 'voip-onboarding-api',
    jwtAudience: raw('JWT_AUDIENCE') ?? 'voip-onboarding-api',
    accessTokenExpireMinutes: integer('ACCESS_TOKEN_EXPIRE_MINUTES', 1, 7 * 24 * 60),
    credentialsEncryptionKey,
    extensionRange,
    sip: {
      domain: sipDomain,
      port: integer('SIP_PORT', 1, 65535),
      transport: oneOf<SipTransport>('SIP_TRANSPORT', ['udp', 'tcp', 'tls'], 'udp'),
    },
    pbxDriver,
    provisionWaitMs: integer('PROVISION_WAIT_MS', 0, 120_000),
    accountCacheTtlMs: integer('ACCOUNT_CACHE_TTL_MS', 0, 3_600_000),
    provisioningJobLeaseMs: integer('PROVISIONING_JOB_LEASE_MS', 1_000, 3_600_000),
    passwordHashConcurrency: env.PASSWORD_HASH_CONCURRENCY
      ? integer('PASSWORD_HASH_CONCURRENCY', 1, 256)
      : Math.max(1, os.availableParallelism()),
    authRateLimitPerMinute: integer('AUTH_RATE_LIMIT_PER_MINUTE', 1, 1_000_000),
    rateLimitRedisUrl: url('RATE_LIMIT_REDIS_URL', ['redis:', 'rediss:']),
    bodyLimitBytes: integer('BODY_LIMIT_BYTES', 1024, 10 * 1024 * 1024),
    trustProxy,
    freepbx,
    kamailio,
    provisioning,
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(config);
}

const DURATION_UNITS: Record<string, number> = { '': 1, s: 1, m: 60, h: 3600 };

/** `600`, `600s`, `10m` or `1h`, in seconds, from 30 s to 24 h. */
function parseDuration(name: ConfigVariableName, value: string, problems: string[]): number {
  const match = /^(\d+)\s*([smh]?)$/.exec(value);
  const seconds = match ? Number(match[1]) * DURATION_UNITS[match[2]!]! : NaN;
  if (!(seconds >= 30 && seconds <= 86_400)) {
    problems.push(`${name} must be seconds or a number with s, m or h, from 30 s to 24 h (got "${value}")`);
    return 600;
  }
  return seconds;
}

function parseRange(value: string, problems: string[]): { first: number; last: number } {
  const match = /^(\d{2,10})-(\d{2,10})$/.exec(value);
  const first = Number(match?.[1]);
  const last = Number(match?.[2]);
  if (!match || first > last || String(first).length !== match[1]!.length) {
    problems.push(`EXTENSION_RANGE must look like 1000-1999 (first ≤ last, no leading zeros) (got "${value}")`);
    return { first: 1000, last: 1999 };
  }
  return { first, last };
}

export function parseEncryptionKey(value: string | undefined, problems: string[]): Buffer | undefined {
  if (value === undefined) return undefined;
  const key = /^[0-9a-fA-F]{64}$/.test(value) ? Buffer.from(value, 'hex') : Buffer.from(value, 'base64');
  if (key.length !== 32) {
    problems.push('CREDENTIALS_ENCRYPTION_KEY must be 32 bytes, as 64 hex characters or base64 (e.g. `openssl rand -hex 32`)');
    return undefined;
  }
  return key;
}
