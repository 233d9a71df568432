import type { Logger } from 'pino';
import type { ResolvedConfig } from './config/load-config.ts';
import type { DatabaseHandle } from './db/database.ts';
import { openDatabase } from './db/open-database.ts';
import { createAccessTokens } from './modules/auth/access-tokens.ts';
import { createAuthenticate } from './modules/auth/authenticate.ts';
import { createLoginUser } from './modules/auth/auth.usecases.ts';
import { createPasswordHasher } from './modules/auth/password-hasher.ts';
import { createCredentialAccess, type CredentialAccessOverrides } from './modules/credential-access/create-credential-access.ts';
import { createMail } from './modules/mail/create-mail.ts';
import type { MailTransport } from './modules/mail/mail-transport.ts';
import type { MailWorkerOptions } from './modules/mail/mail-worker.ts';
import { createLoginThrottle } from './modules/auth/login-throttle.ts';
import { createMemoryCounters, createRedisCounters } from './modules/auth/login-throttle.counters.ts';
import { createRegisterUser } from './modules/onboarding/onboarding.usecases.ts';
import { createMetrics } from './modules/metrics/metrics.ts';
import { countSignUps } from './modules/onboarding/sign-up-metrics.ts';
import { createPbxDriver } from './modules/pbx/create-pbx-driver.ts';
import { instrumentPbxDriver } from './modules/pbx/instrumented-driver.ts';
import type { PbxDriver } from './modules/pbx/pbx-driver.ts';
import { createProvisioningQueue } from './modules/provisioning-jobs/provisioning-queue.ts';
import { createProvisioningWorker } from './modules/provisioning-jobs/provisioning-worker.ts';
import { createQueueDepthReader } from './modules/provisioning-jobs/queue-depth.ts';
import type { WorkerOptions } from './modules/provisioning-jobs/worker-options.ts';
import { createProvisioningLinkUseCases } from './modules/provisioning/provisioning-links.usecases.ts';
import { createAccountCache } from './modules/sip-accounts/account-cache.ts';
import { createAccountProvisioning } from './modules/sip-accounts/account-provisioning.ts';
import { createAccountWatch } from './modules/sip-accounts/account-watch.ts';
import { createSecretRotationUseCases } from './modules/sip-accounts/secret-rotation.usecases.ts';
import { createSipAccountsRepository } from './modules/sip-accounts/sip-accounts.repository.ts';
import { createSipAccountUseCases } from './modules/sip-accounts/sip-accounts.usecases.ts';
import { createUsersRepository } from './modules/users/users.repository.ts';
import { createWelcomeMail } from './modules/welcome/welcome-mail.ts';
import { createRateLimitRedis } from './shared/rate-limit-store.ts';

export interface DependencyOverrides {
  /** An open, migrated database (tests share one per file); closing it stays the caller's job. */
  database?: DatabaseHandle;
  driver?: PbxDriver;
  workerOptions?: Partial<WorkerOptions>;
  mailWorkerOptions?: Partial<MailWorkerOptions>;
  /** Replaces SMTP or the outbox. */
  mailTransport?: MailTransport;
  /** The credential access log's write-behind buffer, its sweep interval, or its recorder. */
  credentialAccess?: CredentialAccessOverrides;
}

/**
 * The composition root: config → database → PBX driver → worker → use cases. main.ts and the tests both
 * build the service here; tests swap parts through `overrides`.
 * `config` has its keys resolved (see config/generated-secrets.ts).
 */
export async function buildDependencies({ config, logger, overrides = {} }: { config: ResolvedConfig; logger: Logger; overrides?: DependencyOverrides }) {
  const encryptionKey = config.credentialsEncryptionKey;
  const database =
    overrides.database ?? (await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: config.databasePoolSize }));
  const { db } = database;
  // Recorders go to the parts that record, each through a port of its own (see modules/metrics/metrics.ts).
  const metrics = config.metrics.enabled ? createMetrics({ readQueueDepth: createQueueDepthReader({ db }), logger }) : undefined;
  const pbxDriver = overrides.driver ?? createPbxDriver({ config, logger });
  const driver = metrics ? instrumentPbxDriver(pbxDriver, metrics.pbx) : pbxDriver;

  const hasher = createPasswordHasher({ concurrency: config.passwordHashConcurrency });
  const tokens = createAccessTokens({
    secretKey: config.jwtSecretKey,
    issuer: config.jwtIssuer,
    audience: config.jwtAudience,
    lifetimeMinutes: config.accessTokenExpireMinutes,
  });
  const mail = createMail({
    db,
    settings: { ...config.mail, serviceName: config.serviceName, publicBaseUrl: config.provisioning.publicBaseUrl, defaultLocale: config.defaultLocale, encryptionKey },
    logger: logger.child({ component: 'mail' }),
    options: overrides.mailWorkerOptions,
    transport: overrides.mailTransport,
  });
  // An account going live queues its welcome mail (with a provisioning link) in the job's own transaction.
  const welcome = createWelcomeMail({ mail, provisioning: config.provisioning, linkTtlSeconds: config.welcomeLinkTtlSeconds, logger });
  // The worker and the accounts meet only here: the queue's port is implemented by sip-accounts.
  const watch = createAccountWatch({ findById: createSipAccountsRepository({ db }).findById });
  const worker = createProvisioningWorker({
    db,
    driver,
    accounts: createAccountProvisioning({ db, encryptionKey, extensionRange: config.extensionRange, watch, wentLive: welcome }),
    logger: logger.child({ component: 'provisioning' }),
    metrics: metrics?.provisioning,
    options: { leaseMs: config.provisioningJobLeaseMs, applyLeaseMs: config.provisioningJobLeaseMs, ...overrides.workerOptions },
  });
  const queue = createProvisioningQueue({ db, kick: worker.kick });
  const credentialAccess = createCredentialAccess({ db, retentionDays: config.accessLogRetentionDays, logger, ...overrides.credentialAccess });

  const rateLimitRedis = config.rateLimitRedisUrl ? createRateLimitRedis({ url: config.rateLimitRedisUrl, logger }) : undefined;
  const accountCache = config.accountCacheTtlMs > 0 ? createAccountCache({ database, logger, ttlMs: config.accountCacheTtlMs, metrics: metrics?.accountCache }) : undefined;
  await accountCache?.start();

  // Counted where the rate limits are: in Redis when configured (every instance together), else here.
  const loginThrottle = createLoginThrottle({
    counters: rateLimitRedis ? createRedisCounters(rateLimitRedis) : createMemoryCounters(),
    options: config.loginThrottle,
    logger,
  });
  const sipAccounts = createSipAccountUseCases({ db, encryptionKey, sip: config.sip, extensionRange: config.extensionRange, queue, watch, cache: accountCache });
  const useCases = {
    registerUser: countSignUps(createRegisterUser({ db, hasher, sipAccounts, kickProvisioning: queue.kick, provisionWaitMs: config.provisionWaitMs, logger }), metrics?.signUps),
    loginUser: createLoginUser({ users: createUsersRepository({ db }), hasher, tokens, throttle: loginThrottle }),
    sipAccounts,
    secretRotation: createSecretRotationUseCases({ db, queue, watch, encryptionKey, provisionWaitMs: config.provisionWaitMs, logger }),
  };
  const provisioning = {
    links: createProvisioningLinkUseCases({
      db,
      sipAccounts: useCases.sipAccounts,
      publicBaseUrl: config.provisioning.publicBaseUrl,
      ttlSeconds: config.provisioning.linkTtlSeconds,
      mode: config.provisioning.linkMode,
      linksPerAccount: config.provisioning.linksPerAccount,
    }),
    formatOptions: {
      ...(config.provisioning.acrobitsCloudId ? { acrobits: { cloudId: config.provisioning.acrobitsCloudId } } : {}),
      sessiontalk: { providerId: config.provisioning.sessionTalkProviderId },
    },
  };

  return {
    config,
    logger,
    database,
    driver,
    metrics,
    worker,
    /** `mail.enqueue(tx, …)` inside a transaction, then `mail.kick()`; started with the provisioning worker. */
    mail,
    /** Who saw the SIP secret: `recorder` (the credential routes' port), the access-log reads, the retention sweep. */
    credentialAccess,
    tokens,
    accountCache,
    rateLimitRedis,
    authenticate: createAuthenticate({ tokens }),
    useCases,
    provisioning,
    /** Stops the worker (jobs in hand finish), then closes what this function opened. */
    async close(): Promise<void> {
      await worker.stop();
      await mail.stop();
      await credentialAccess.close(); // Writes the access entries still waiting, before the database closes.
      await accountCache?.stop();
      await rateLimitRedis?.quit().catch(() => rateLimitRedis.disconnect());
      if (!overrides.driver) await driver.close();
      if (!overrides.database) await database.close();
    },
  };
}

export type Dependencies = Awaited<ReturnType<typeof buildDependencies>>;
