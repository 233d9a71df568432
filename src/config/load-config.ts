import os from 'node:os';
import path from 'node:path';
import { parseDuration, parseEncryptionKey, parseHoldDuration, parseLongDuration, parseRange, parseSipProxy, parseTrustProxy } from './config.formats.ts';
import type { ConfigValues } from './config.schema.ts';
import { pbxSettings } from './pbx-settings.ts';
import { readEnv } from './read-env.ts';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Reads and validates every variable at once (config.schema.ts), so an operator sees all mistakes in one go.
 * Messages name the variable but never echo the value of a secret one.
 */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const { values, problems } = readEnv(env);
  const config = toConfig(values, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/** The structured configuration, from valid values; `Config` is its type. */
function toConfig(values: ConfigValues, problems: string[]) {
  const optional = <T>(value: string | undefined, parse: (value: string) => T) => (value === undefined ? undefined : parse(value));
  return Object.freeze({
    host: values.HOST,
    port: values.PORT,
    logLevel: values.LOG_LEVEL,
    /** Undefined: pretty on a terminal, else JSON (see shared/logger.ts). */
    logFormat: values.LOG_FORMAT,
    metrics: { enabled: values.METRICS_ENABLED === 'true', token: values.METRICS_TOKEN },
    dataDir: path.resolve(values.DATA_DIR),
    databaseUrl: values.DATABASE_URL,
    databasePoolSize: values.DATABASE_POOL_SIZE,
    /** Undefined until resolved by `resolveGeneratedSecrets` (generated keys kept in DATA_DIR). */
    jwtSecretKey: values.JWT_SECRET_KEY,
    jwtIssuer: values.JWT_ISSUER,
    jwtAudience: values.JWT_AUDIENCE,
    accessTokenExpireMinutes: values.ACCESS_TOKEN_EXPIRE_MINUTES,
    refreshTokenExpireDays: values.REFRESH_TOKEN_EXPIRE_DAYS,
    /** Undefined until resolved by `resolveGeneratedSecrets`. */
    credentialsEncryptionKey: optional(values.CREDENTIALS_ENCRYPTION_KEY, parseEncryptionKey),
    extensionRange: parseRange(values.EXTENSION_RANGE),
    /** Seconds a number freed by a user who left is kept back; 0: handed out again at once. */
    extensionReuseAfterSeconds: parseHoldDuration(values.EXTENSION_REUSE_AFTER),
    sip: sipSettings(values),
    pbx: pbxSettings(values, problems),
    /** 0: never ask the PBX which accounts a phone registered with. */
    registrationCheckIntervalSeconds: values.REGISTRATION_CHECK_INTERVAL_SECONDS,
    provisionWaitMs: values.PROVISION_WAIT_MS,
    accountCacheTtlMs: values.ACCOUNT_CACHE_TTL_MS,
    /** A claimed job (or the apply lease) whose worker died is taken over after this long. */
    provisioningJobLeaseMs: values.PROVISIONING_JOB_LEASE_MS,
    passwordHashConcurrency: values.PASSWORD_HASH_CONCURRENCY ?? Math.max(1, os.availableParallelism()),
    authRateLimitPerMinute: values.AUTH_RATE_LIMIT_PER_MINUTE,
    rateLimitRedisUrl: values.RATE_LIMIT_REDIS_URL,
    loginThrottle: {
      failuresPerAccountPerHour: values.LOGIN_FAILURES_PER_ACCOUNT_PER_HOUR,
      failuresBeforeDelay: values.LOGIN_FAILURES_BEFORE_DELAY,
    },
    bodyLimitBytes: values.BODY_LIMIT_BYTES,
    /** Fastify's trustProxy: false, true (every hop), a hop count, or the trusted proxies' addresses and CIDRs. */
    trustProxy: parseTrustProxy(values.TRUST_PROXY),
    retention: {
      sweepIntervalMinutes: values.RETENTION_SWEEP_INTERVAL_MINUTES,
      finishedJobsDays: values.RETENTION_FINISHED_JOBS_DAYS,
      expiredLinksHours: values.RETENTION_EXPIRED_LINKS_HOURS,
      accessLogDays: values.ACCESS_LOG_RETENTION_DAYS,
    },
    provisioning: {
      /** No trailing slash. */
      publicBaseUrl: (values.PUBLIC_BASE_URL ?? `http://localhost:${values.PORT}`).replace(/\/+$/, ''),
      linkTtlSeconds: parseDuration(values.PROVISIONING_LINK_TTL),
      linkMode: values.PROVISIONING_LINK_MODE,
      /** Also treat any fetch without an Accept header as Linphone's, not only one with a liblinphone User-Agent (linphone-fetch.ts). */
      acceptLegacyLinphone: values.PROVISIONING_ACCEPT_LEGACY_LINPHONE === 'true',
      rateLimitPerMinute: values.PROVISIONING_RATE_LIMIT_PER_MINUTE,
      linksPerAccount: values.PROVISIONING_LINKS_PER_ACCOUNT,
      acrobitsCloudId: values.ACROBITS_CLOUD_ID,
      sessionTalkProviderId: values.SESSIONTALK_PROVIDER_ID,
    },
    serviceName: values.SERVICE_NAME,
    defaultLocale: values.DEFAULT_LOCALE,
    mail: {
      /** Unset: mails go to `outboxDir` as .eml files. */
      smtpUrl: values.SMTP_URL,
      from: values.MAIL_FROM?.trim(),
      outboxDir: path.join(path.resolve(values.DATA_DIR), 'outbox'),
    },
    emailVerification: {
      required: values.EMAIL_VERIFICATION === 'required',
      tokenTtlSeconds: parseDuration(values.EMAIL_TOKEN_TTL),
      unverifiedAccountTtlSeconds: parseLongDuration(values.UNVERIFIED_ACCOUNT_TTL),
    },
    passwordResetTtlSeconds: parseDuration(values.PASSWORD_RESET_TTL),
    welcomeLinkTtlSeconds: parseDuration(values.WELCOME_LINK_TTL),
    /** ADMIN_EMAILS, lower-cased, blanks dropped. */
    adminEmails: (values.ADMIN_EMAILS ?? '').split(',').map((email) => email.trim().toLowerCase()).filter(Boolean),
  });
}

/** What softphones are told about reaching the SIP server, and their media encryption. */
function sipSettings(values: ConfigValues) {
  // SIP over TLS listens on 5061 by convention (RFC 3261 §26.2.2: a sips URI without a port means 5061).
  const port = values.SIP_PORT ?? (values.SIP_TRANSPORT === 'tls' ? 5061 : 5060);
  const proxy = values.SIP_PROXY === undefined ? undefined : parseSipProxy(values.SIP_PROXY);
  return {
    domain: values.SIP_DOMAIN,
    port,
    transport: values.SIP_TRANSPORT,
    /** The outbound proxy as `host:port` (its port defaulting to the SIP port); null: softphones go to domain:port. */
    proxy: proxy ? `${proxy.host}:${proxy.port ?? port}` : null,
    mediaEncryption: values.MEDIA_ENCRYPTION,
  };
}

export type Config = ReturnType<typeof toConfig>;
/** A Config whose keys are set: by the operator, or generated by `resolveGeneratedSecrets`. */
export type ResolvedConfig = Config & { readonly jwtSecretKey: string; readonly credentialsEncryptionKey: Buffer };
export type PbxSettings = Config['pbx'];
export type PbxDriverName = PbxSettings['driver'];
export type SipTransport = Config['sip']['transport'];
export type MediaEncryption = Config['sip']['mediaEncryption'];

/** What is wrong with `env` as a configuration, in words (none: an empty list); loadConfig throws them as a ConfigError. */
export function configProblems(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}
