/**
 * Every environment variable the service reads, with a one-line doc each. This table is the single source
 * for validation at start-up, for `.env.example` and for the README's configuration table.
 */
export interface VariableSpec {
  doc: string;
  default?: string;
  /** Listed in docs, but never echoed back in an error message. */
  secret?: boolean;
}

export const configVariables = {
  HOST: { doc: 'Address the HTTP server listens on.', default: '0.0.0.0' },
  PORT: { doc: 'Port the HTTP server listens on.', default: '8000' },
  LOG_LEVEL: { doc: 'pino log level: fatal, error, warn, info, debug, trace or silent.', default: 'info' },
  DATA_DIR: { doc: 'Directory for the embedded database and generated keys.', default: './data' },
  DATABASE_URL: { doc: 'PostgreSQL URL (postgres://…). When unset, the embedded PGlite database in DATA_DIR is used.', secret: true },
  DATABASE_POOL_SIZE: { doc: 'Connections in the PostgreSQL pool.', default: '10' },
  JWT_SECRET_KEY: { doc: 'HS256 key for access tokens, at least 32 bytes. Generated and kept in DATA_DIR when unset.', secret: true },
  JWT_ISSUER: { doc: 'The `iss` claim written into and required of access tokens.', default: 'voip-onboarding-api' },
  JWT_AUDIENCE: { doc: 'The `aud` claim written into and required of access tokens.', default: 'voip-onboarding-api' },
  ACCESS_TOKEN_EXPIRE_MINUTES: { doc: 'Lifetime of an access token in minutes.', default: '30' },
  CREDENTIALS_ENCRYPTION_KEY: { doc: 'AES-256-GCM key for SIP secrets at rest: 32 bytes as 64 hex chars or base64. Generated and kept in DATA_DIR when unset.', secret: true },
  EXTENSION_RANGE: { doc: 'Extension numbers handed out, as FIRST-LAST.', default: '1000-1999' },
  SIP_DOMAIN: { doc: 'SIP domain (registrar host) given to softphones.', default: 'localhost' },
  SIP_PORT: { doc: 'SIP port given to softphones.', default: '5060' },
  SIP_TRANSPORT: { doc: 'SIP transport given to softphones: udp, tcp or tls.', default: 'udp' },
  PBX_DRIVER: { doc: 'none, freepbx or kamailio. Default: freepbx when FREEPBX_HOST is set, else none.' },
  ACCOUNT_CACHE_TTL_MS: { doc: 'How long live SIP credentials may stay in memory between reads (changes evict them at once, on every instance); 0 turns the cache off.', default: '60000' },
  PROVISION_WAIT_MS: { doc: 'How long POST /auth/register waits for the PBX before answering "pending".', default: '5000' },
  PROVISIONING_JOB_LEASE_MS: { doc: 'How long a provisioning job (or the Apply Config) stays claimed by a worker that stopped answering (killed) before another worker takes it over.', default: '120000' },
  PASSWORD_HASH_CONCURRENCY: { doc: 'Password hashes computed at once; more wait their turn. Default: CPU cores.' },
  AUTH_RATE_LIMIT_PER_MINUTE: { doc: 'Requests per minute and client address on each /auth route.', default: '30' },
  RATE_LIMIT_REDIS_URL: { doc: 'Redis URL (redis://…) where every instance counts rate limits together. Unset: each instance counts in memory.', secret: true },
  BODY_LIMIT_BYTES: { doc: 'Largest request body accepted.', default: '16384' },
  TRUST_PROXY: { doc: 'true when behind a reverse proxy that sets X-Forwarded-For (client addresses for rate limits).', default: 'false' },
  FREEPBX_HOST: { doc: 'Base URL of FreePBX, e.g. https://pbx.example.com (selects the FreePBX driver).' },
  FREEPBX_CLIENT_ID: { doc: 'FreePBX API machine-to-machine application client id.' },
  FREEPBX_CLIENT_SECRET: { doc: 'FreePBX API application client secret.', secret: true },
  FREEPBX_API_TOKEN: { doc: 'A fixed FreePBX bearer token (compatibility; FreePBX tokens expire after an hour).', secret: true },
  FREEPBX_REQUEST_TIMEOUT_MS: { doc: 'Timeout of one FreePBX API call.', default: '10000' },
  FREEPBX_APPLY_TIMEOUT_MS: { doc: 'Deadline for one Apply Config (doreload) to finish.', default: '600000' },
  FREEPBX_APPLY_POLL_INTERVAL_MS: { doc: 'How often a running Apply Config is polled (fetchApiStatus).', default: '1000' },
  KAMAILIO_DATABASE_URL: { doc: 'PostgreSQL URL of the Kamailio database holding `subscriber`.', secret: true },
  KAMAILIO_DOMAIN: { doc: 'subscriber.domain (the SIP realm). Default: SIP_DOMAIN.' },
  KAMAILIO_PASSWORD_STORAGE: { doc: 'What the Kamailio driver writes: plain, ha1 or both.', default: 'both' },
  PUBLIC_BASE_URL: { doc: 'Base URL phones reach this service at, for provisioning links and QR codes (https:// in production). Default: http://localhost:PORT.' },
  PROVISIONING_LINK_TTL: { doc: 'Lifetime of a provisioning link: seconds, or a number with s, m or h (e.g. 600, 10m, 1h); 30 s to 24 h.', default: '10m' },
  PROVISIONING_LINK_MODE: { doc: 'once: a link is used up by its first Linphone fetch; device: the first Linphone fetch binds it to that device (User-Agent and address), which may fetch again until expiry.', default: 'once' },
  PROVISIONING_ACCEPT_LEGACY_LINPHONE: { doc: 'true: a link fetch with no Accept header at all also counts as Linphone and uses the link up (liblinphone 5.1, e.g. Debian\'s linphonec, sends no X-Linphone-Provisioning). Weaker against link scanners.', default: 'false' },
  PROVISIONING_RATE_LIMIT_PER_MINUTE: { doc: 'Requests per minute and client address on the public /provisioning/{token} routes.', default: '10' },
  ACROBITS_CLOUD_ID: { doc: 'Acrobits Cloud Softphone Cloud ID; enables the `csc:` credential format.' },
  SESSIONTALK_PROVIDER_ID: { doc: 'SessionTalk provider id written into `scloc:` payloads (generic app); white-label apps need none.' },
} satisfies Record<string, VariableSpec>;

export type ConfigVariableName = keyof typeof configVariables;
