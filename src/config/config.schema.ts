import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { duration, oneOf, trueOrFalse, url, whole } from './config.schema-shapes.ts';

/**
 * Every environment variable the service reads: its type, its default and a one-line doc. This schema is the
 * single source for validation at start-up (load-config.ts), for `.env.example` and for the README's
 * configuration table (tools/config-docs.ts). A variable without a default is optional; where its default
 * depends on another variable, the doc says so and load-config.ts derives it.
 */
export interface VariableOptions {
  description: string;
  /** Listed in docs, but never echoed back in an error message. */
  secret?: boolean;
  /** What an error message says after the variable's name, when the type alone cannot say it. */
  problem?: string;
}

export const configSchema = Type.Object({
  HOST: Type.String({ default: '0.0.0.0', description: 'Address the HTTP server listens on.' }),
  PORT: whole(0, 65535, 8000, 'Port the HTTP server listens on.'),
  LOG_LEVEL: oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'pino log level: fatal, error, warn, info, debug, trace or silent.', 'info'),
  LOG_FORMAT: Type.Optional(oneOf(['json', 'pretty'], 'Log lines as JSON (for a log collector) or pretty (readable, pino-pretty). Unset: pretty when standard output is a terminal, else JSON.')),
  METRICS_ENABLED: oneOf(['true', 'false'], 'false: no GET /metrics and nothing recorded.', 'true'),
  METRICS_TOKEN: Type.Optional(Type.String({
    pattern: '^\\S{16,}$',
    secret: true,
    problem: 'must be at least 16 characters without spaces (e.g. `openssl rand -hex 32`)',
    description: 'Bearer token GET /metrics requires (Authorization: Bearer …). Unset: /metrics answers only requests from loopback that came through no proxy.',
  })),
  DATA_DIR: Type.String({ default: './data', description: 'Directory for the embedded database and generated keys.' }),
  DATABASE_URL: url('postgres-url', 'PostgreSQL URL (postgres://…). When unset, the embedded PGlite database in DATA_DIR is used.', { secret: true }),
  DATABASE_POOL_SIZE: whole(1, 200, 10, 'Connections in the PostgreSQL pool.'),
  JWT_SECRET_KEY: Type.Optional(Type.String({
    format: '32-bytes',
    secret: true,
    problem: 'is too weak: it must be at least 32 bytes long (e.g. `openssl rand -hex 32`)',
    description: 'HS256 key for access tokens, at least 32 bytes. Generated and kept in DATA_DIR when unset.',
  })),
  JWT_ISSUER: Type.String({ default: 'voip-onboarding-api', description: 'The `iss` claim written into and required of access tokens.' }),
  JWT_AUDIENCE: Type.String({ default: 'voip-onboarding-api', description: 'The `aud` claim written into and required of access tokens.' }),
  ACCESS_TOKEN_EXPIRE_MINUTES: whole(1, 7 * 24 * 60, 30, 'Lifetime of an access token in minutes.'),
  CREDENTIALS_ENCRYPTION_KEY: Type.Optional(Type.String({
    format: 'encryption-key',
    secret: true,
    problem: 'must be 32 bytes, as 64 hex characters or base64 (e.g. `openssl rand -hex 32`)',
    description: 'AES-256-GCM key for SIP secrets at rest: 32 bytes as 64 hex chars or base64. Generated and kept in DATA_DIR when unset.',
  })),
  EXTENSION_RANGE: Type.String({
    format: 'extension-range',
    default: '1000-1999',
    problem: 'must look like 1000-1999 (first ≤ last, no leading zeros)',
    description: 'Extension numbers handed out, as FIRST-LAST.',
  }),
  SIP_DOMAIN: Type.String({ default: 'localhost', description: 'SIP domain (registrar host) given to softphones.' }),
  SIP_PORT: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535, description: 'SIP port given to softphones. Default: 5061 with SIP_TRANSPORT=tls, else 5060.' })),
  SIP_TRANSPORT: oneOf(['udp', 'tcp', 'tls'], 'SIP transport given to softphones: udp, tcp or tls (SIP over TLS: the registrar needs a certificate the phones trust).', 'udp'),
  SIP_PROXY: Type.Optional(Type.String({
    format: 'sip-proxy',
    problem: 'must be host or host:port (an IPv6 address in brackets, e.g. [2001:db8::1]:5060)',
    description: 'Outbound proxy softphones send everything through (REGISTER and calls), as host or host:port, when the registrar\'s address differs from SIP_DOMAIN; SIP_DOMAIN stays the domain of their SIP identity. Its port defaults to SIP_PORT. Unset: softphones go to SIP_DOMAIN:SIP_PORT.',
  })),
  MEDIA_ENCRYPTION: oneOf(['none', 'srtp', 'zrtp', 'dtls-srtp'], 'Media encryption softphones are set up for: none (their own choice), srtp (SDES-SRTP: keys travel in the SIP messages, so use it with SIP_TRANSPORT=tls), zrtp (end to end between phones) or dtls-srtp. srtp and dtls-srtp are made mandatory on the phone (a call without them fails); zrtp is offered.', 'none'),
  REGISTRATION_CHECK_INTERVAL_SECONDS: whole(0, 86_400, 60, 'Seconds between checks of which live accounts a phone has registered with (GET /auth/me then shows `registered`), where the PBX can tell (Kamailio: its location table; FreePBX: its AMI, with the FREEPBX_AMI_* settings); 0 turns them off.'),
  PBX_DRIVER: Type.Optional(oneOf(['none', 'freepbx', 'kamailio'], 'none, freepbx or kamailio. Default: freepbx when FREEPBX_HOST is set, else none.')),
  ACCOUNT_CACHE_TTL_MS: whole(0, 3_600_000, 60000, 'How long live SIP credentials may stay in memory between reads (changes evict them at once, on every instance); 0 turns the cache off.'),
  PROVISION_WAIT_MS: whole(0, 120_000, 5000, 'How long POST /auth/register waits for the PBX before answering "pending".'),
  PROVISIONING_JOB_LEASE_MS: whole(1_000, 3_600_000, 120000, 'How long a provisioning job (or the Apply Config) stays claimed by a worker that stopped renewing it before another worker takes it over: the last resort, since a worker that is gone (killed) is seen at once and its work taken over within about a second.'),
  PASSWORD_HASH_CONCURRENCY: Type.Optional(Type.Integer({ minimum: 1, maximum: 256, description: 'Password hashes computed at once; more wait their turn. Default: CPU cores.' })),
  AUTH_RATE_LIMIT_PER_MINUTE: whole(1, 1_000_000, 30, 'Requests per minute and client address on each /auth route.'),
  LOGIN_FAILURES_PER_ACCOUNT_PER_HOUR: whole(1, 1_000_000, 50, 'Failed logins an account takes per hour from all addresses together; past it, each address that already failed at that account this hour waits for the hour to end (a fresh address still gets its attempt).'),
  LOGIN_FAILURES_BEFORE_DELAY: whole(1, 1000, 5, 'Failed logins in a row from one address at one account before each next attempt waits 1 s, doubling up to 15 min; a success from that address clears it.'),
  RATE_LIMIT_REDIS_URL: url('redis-url', 'Redis URL (redis://…) where every instance counts rate limits and failed logins together. Unset: each instance counts in memory.', { secret: true }),
  BODY_LIMIT_BYTES: whole(1024, 10 * 1024 * 1024, 16384, 'Largest request body accepted.'),
  TRUST_PROXY: Type.String({
    format: 'trust-proxy',
    default: 'false',
    problem: 'must be false, true, a hop count (e.g. 1) or a comma-separated list of proxy addresses or CIDRs (e.g. 10.0.0.1,192.168.0.0/16)',
    description: 'Which X-Forwarded-For hops to believe for client addresses (rate limits, login throttle): false; a hop count (1: the one proxy in front); or the trusted proxies\' addresses or CIDRs, comma-separated. true trusts every hop, so any client can forge its address (kept for compatibility; a warning says so).',
  }),
  FREEPBX_HOST: url('http-url', 'Base URL of FreePBX, e.g. https://pbx.example.com (selects the FreePBX driver).'),
  FREEPBX_CLIENT_ID: Type.Optional(Type.String({ description: 'FreePBX API machine-to-machine application client id.' })),
  FREEPBX_CLIENT_SECRET: Type.Optional(Type.String({ secret: true, description: 'FreePBX API application client secret.' })),
  FREEPBX_API_TOKEN: Type.Optional(Type.String({ secret: true, description: 'A fixed FreePBX bearer token (compatibility; FreePBX tokens expire after an hour).' })),
  FREEPBX_REQUEST_TIMEOUT_MS: whole(100, 600_000, 10000, 'Timeout of one FreePBX API call (and of connecting to the AMI and of each AMI action).'),
  FREEPBX_APPLY_TIMEOUT_MS: whole(1_000, 3_600_000, 600000, 'Deadline for one Apply Config (doreload) to finish.'),
  FREEPBX_APPLY_POLL_INTERVAL_MS: whole(10, 60_000, 1000, 'How often a running Apply Config is polled (fetchApiStatus).'),
  FREEPBX_AMI_HOST: Type.Optional(Type.String({
    format: 'host-port',
    problem: 'must be host or host:port (an IPv6 address in brackets, e.g. [2001:db8::1]:5038)',
    description: 'Asterisk Manager Interface (AMI) of the FreePBX, as host or host:port (default port 5038, or 5039 with FREEPBX_AMI_TLS=true). Set with FREEPBX_AMI_USERNAME and FREEPBX_AMI_SECRET, the service reads which extensions a phone registered with (GET /auth/me then shows `registered`); unset, FreePBX accounts stay `active`.',
  })),
  FREEPBX_AMI_USERNAME: Type.Optional(Type.String({ description: 'AMI manager user (FreePBX: Settings > Asterisk Manager Users) with write permission `system`, the class of PJSIPShowRegistrationInboundContactStatuses; it needs no read permission.' })),
  FREEPBX_AMI_SECRET: Type.Optional(Type.String({ secret: true, description: 'That manager user\'s secret.' })),
  FREEPBX_AMI_TLS: trueOrFalse('true: AMI over TLS (Asterisk manager.conf tlsenable; the certificate must be trusted, e.g. through NODE_EXTRA_CA_CERTS).'),
  KAMAILIO_DATABASE_URL: url('postgres-url', 'PostgreSQL URL of the Kamailio database holding `subscriber`.', { secret: true }),
  KAMAILIO_DOMAIN: Type.Optional(Type.String({ description: 'subscriber.domain (the SIP realm). Default: SIP_DOMAIN.' })),
  KAMAILIO_PASSWORD_STORAGE: oneOf(['plain', 'ha1', 'both'], 'What the Kamailio driver writes: plain, ha1 or both.', 'both'),
  PUBLIC_BASE_URL: url('http-url', 'Base URL phones reach this service at, for provisioning links and QR codes (https:// in production). Default: http://localhost:PORT.'),
  PROVISIONING_LINK_TTL: duration('duration', '10m', 'Lifetime of a provisioning link: seconds, or a number with s, m or h (e.g. 600, 10m, 1h); 30 s to 24 h.'),
  PROVISIONING_LINK_MODE: oneOf(['once', 'device'], 'once: a link is used up by its first Linphone fetch; device: the first Linphone fetch binds it to that device (User-Agent and address), which may fetch again until expiry.', 'once'),
  PROVISIONING_ACCEPT_LEGACY_LINPHONE: trueOrFalse('true: any link fetch with no Accept header counts as Linphone and uses the link up, whatever its User-Agent. Without it, a fetch counts when it carries X-Linphone-Provisioning (liblinphone 5.3+), or has no Accept header and a liblinphone User-Agent (older versions, e.g. Debian\'s linphonec 5.1). Weaker against link scanners; rarely needed.'),
  PROVISIONING_LINKS_PER_ACCOUNT: whole(1, 100, 5, 'Unused provisioning links an account may hold at once; a new link revokes the oldest unused one beyond it.'),
  PROVISIONING_RATE_LIMIT_PER_MINUTE: whole(1, 1_000_000, 10, 'Requests per minute and client address on the public /provisioning/{token} routes.'),
  RETENTION_SWEEP_INTERVAL_MINUTES: whole(0, 10_080, 60, 'Minutes between retention sweeps, which delete what is past retention — expired provisioning links and email tokens, old finished provisioning jobs and mails, old credential access entries — and free numbers held after a user left (one instance at a time); 0 turns them off.'),
  RETENTION_FINISHED_JOBS_DAYS: whole(1, 3650, 30, 'Days a finished (done or failed) provisioning job, or a sent or failed mail, is kept after its last change; the latest job of each account is kept whatever its age (GET /auth/me shows its attempts).'),
  RETENTION_EXPIRED_LINKS_HOURS: whole(0, 8760, 24, 'Hours a provisioning link, or a mailed link\'s token, is kept after it expired (it opens nothing by then).'),
  ACROBITS_CLOUD_ID: Type.Optional(Type.String({
    pattern: '^[A-Za-z0-9]+\\*?$',
    problem: 'holds only letters and digits, optionally followed by "*"',
    description: 'Acrobits Cloud Softphone Cloud ID; enables the `csc:` credential format.',
  })),
  SESSIONTALK_PROVIDER_ID: Type.Optional(Type.String({
    pattern: '^[^|\\s]+$',
    problem: 'cannot hold "|" or whitespace',
    description: 'SessionTalk provider id written into `scloc:` payloads (generic app); white-label apps need none.',
  })),
  SMTP_URL: url('smtp-url', 'SMTP server mails are sent through, with its credentials: smtp://user:pass@host:587 (STARTTLS when offered) or smtps://user:pass@host:465. Unset: every mail is written as an .eml file into DATA_DIR/outbox/ instead.', { secret: true }),
  MAIL_FROM: Type.Optional(Type.String({
    format: 'mail-from',
    problem: 'must be an address, or "Name <address>"',
    description: 'Sender of every mail: an address, or "Name <address>". Default: SERVICE_NAME <no-reply@the PUBLIC_BASE_URL host>.',
  })),
  SERVICE_NAME: Type.String({ default: 'VoIP onboarding', minLength: 1, maxLength: 100, description: 'The product name people see in mails and pages.' }),
  DEFAULT_LOCALE: oneOf(['en', 'es'], 'Language of mails and pages for a person whose own language is unknown or not supported: en or es.', 'en'),
  REFRESH_TOKEN_EXPIRE_DAYS: whole(1, 3650, 30, 'How long a session lasts unused: each refresh token lives this many days, and every refresh starts the count again; a session unused for longer must log in again.'),
  EMAIL_VERIFICATION: oneOf(['off', 'required'], 'off: the extension is created at sign-up (a verification mail is still sent); required: it is created only once the email is verified (POST /auth/verify-email), and GET /sip/credentials answers 409 email_not_verified until then.', 'off'),
  EMAIL_TOKEN_TTL: duration('duration', '24h', 'Lifetime of the link in a verification mail: seconds, or a number with s, m or h; 30 s to 24 h.'),
  PASSWORD_RESET_TTL: duration('duration', '30m', 'Lifetime of the link in a password-reset mail: seconds, or a number with s, m or h; 30 s to 24 h.'),
  UNVERIFIED_ACCOUNT_TTL: duration('long-duration', '7d', 'With EMAIL_VERIFICATION=required, an account whose email was not verified within this time is removed and its number freed: seconds, or a number with s, m, h or d (e.g. 7d); 1 min to 365 d.'),
  EXTENSION_REUSE_AFTER: duration('hold-duration', '30d', 'How long a number freed by a user who deleted their account is kept back before it is handed out again, so nobody gets calls meant for the one who left: seconds, or a number with s, m, h or d (e.g. 30d, 12h); 0: at once.'),
  ACCESS_LOG_RETENTION_DAYS: whole(1, 3650, 90, 'Days each entry of the credential access log (GET /sip/credentials/access-log) is kept before a periodic sweep deletes it.'),
  WELCOME_LINK_TTL: duration('duration', '24h', 'Lifetime of the provisioning link in the welcome mail sent when an extension goes live: seconds, or a number with s, m or h; 30 s to 24 h.'),
  ADMIN_EMAILS: Type.Optional(Type.String({ description: 'Comma-separated emails whose users are admins (the /admin routes) once their email is verified, unless revoked (voip-onboarding admin revoke EMAIL, which also grants others).' })),
});

export type ConfigVariableName = keyof typeof configSchema.properties;
/** The variables once read: defaults applied, integers converted, every value valid. */
export type ConfigValues = Static<typeof configSchema>;
/** A variable's schema, with the options above and the keywords its messages and docs read. */
export type VariableSchema = TSchema &
  VariableOptions & { default?: unknown; type?: string; minimum?: number; maximum?: number; anyOf?: { const: string }[]; format?: string };
