import type { Logger } from 'pino';
import type { ResolvedConfig } from './config/load-config.ts';
import { openDatabase } from './db/open-database.ts';
import { createLoginUser } from './modules/auth/auth.usecases.ts';
import { createChangePassword } from './modules/auth/change-password.usecases.ts';
import { createCredentialAccess } from './modules/credential-access/create-credential-access.ts';
import { createMail } from './modules/mail/create-mail.ts';
import { createRegisterUser } from './modules/onboarding/onboarding.usecases.ts';
import { createMetrics } from './modules/metrics/metrics.ts';
import { countSignUps } from './modules/onboarding/sign-up-metrics.ts';
import { createPbxDriver } from './modules/pbx/create-pbx-driver.ts';
import { instrumentPbxDriver } from './modules/pbx/instrumented-driver.ts';
import { createProvisioningQueue } from './modules/provisioning-jobs/provisioning-queue.ts';
import { createProvisioningWorker } from './modules/provisioning-jobs/provisioning-worker.ts';
import { createQueueDepthReader } from './modules/provisioning-jobs/queue-depth.ts';
import { createWorkerLiveness } from './db/worker-liveness.ts';
import { buildAdmin } from './dependencies.admin.ts';
import { buildAuth } from './dependencies.auth.ts';
import { buildAccountLifecycle } from './dependencies.lifecycle.ts';
import { buildProvisioning } from './dependencies.provisioning.ts';
import { buildOperator } from './dependencies.operator.ts';
import type { DependencyOverrides } from './dependencies.overrides.ts';
import { createRetentionSweeper } from './modules/retention/retention-sweeper.ts';
import { createAccountCache } from './modules/sip-accounts/account-cache.ts';
import { createAccountProvisioning } from './modules/sip-accounts/account-provisioning.ts';
import { createAccountWatch } from './modules/sip-accounts/account-watch.ts';
import { registrationWatchFor } from './modules/sip-accounts/registration-watch.ts';
import { createSecretRotationUseCases } from './modules/sip-accounts/secret-rotation.usecases.ts';
import { createSipAccountsRepository } from './modules/sip-accounts/sip-accounts.repository.ts';
import { createSipAccountUseCases } from './modules/sip-accounts/sip-accounts.usecases.ts';
import { createUsersRepository } from './modules/users/users.repository.ts';
import { createWelcomeMail } from './modules/welcome/welcome-mail.ts';

export type { DependencyOverrides } from './dependencies.overrides.ts';

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

  const auth = await buildAuth({ config, database, logger });
  const { hasher, tokens, sessions, loginThrottle, sessionCache, rateLimitRedis } = auth;
  const mail = createMail({
    db,
    settings: { ...config.mail, serviceName: config.serviceName, publicBaseUrl: config.provisioning.publicBaseUrl, defaultLocale: config.defaultLocale, encryptionKey },
    logger: logger.child({ component: 'mail' }),
    options: overrides.mailWorkerOptions,
    transport: overrides.mailTransport,
    liveness: createWorkerLiveness(database),
  });
  // An account going live queues its welcome mail (with a provisioning link) in the job's own transaction.
  const welcome = createWelcomeMail({ mail, provisioning: config.provisioning, linkTtlSeconds: config.welcomeLinkTtlSeconds, logger });
  // The worker and the accounts meet only here: the queue's port is implemented by sip-accounts.
  const accountsRepository = createSipAccountsRepository({ db });
  // A database that grew behind the allocation cursor (an upgrade) is walked once here, not by a sign-up.
  await accountsRepository.catchUpAllocationCursor(config.extensionRange);
  const watch = createAccountWatch({ findById: accountsRepository.findById });
  const worker = createProvisioningWorker({
    db,
    driver,
    accounts: createAccountProvisioning({ db, encryptionKey, extensionRange: config.extensionRange, extensionReuseAfterSeconds: config.extensionReuseAfterSeconds, watch, wentLive: welcome }),
    logger: logger.child({ component: 'provisioning' }),
    metrics: metrics?.provisioning,
    options: { leaseMs: config.provisioningJobLeaseMs, applyLeaseMs: config.provisioningJobLeaseMs, ...overrides.workerOptions },
    liveness: createWorkerLiveness(database),
  });
  const queue = createProvisioningQueue({ db, kick: worker.kick });
  // Started by main.ts like the worker; stopped by close().
  const retention = createRetentionSweeper({ db, logger: logger.child({ component: 'retention' }), settings: config.retention });
  const credentialAccess = createCredentialAccess({ db, logger, ...overrides.credentialAccess });
  const registrationWatch = registrationWatchFor({ db, driver, intervalSeconds: config.registrationCheckIntervalSeconds, logger });

  const accountCache = config.accountCacheTtlMs > 0 ? createAccountCache({ database, logger, ttlMs: config.accountCacheTtlMs, metrics: metrics?.accountCache }) : undefined;
  await accountCache?.start();

  const sipAccounts = createSipAccountUseCases({ db, encryptionKey, sip: config.sip, extensionRange: config.extensionRange, queue, watch, cache: accountCache });
  const lifecycle = buildAccountLifecycle({ db, config, logger, hasher, loginThrottle, mail, sipAccounts, sessions, kickProvisioning: queue.kick });
  const { emailVerification, passwordReset, passwordChangedNotice, offRequestPath, unverifiedSweep } = lifecycle;
  const useCases = {
    registerUser: countSignUps(
      createRegisterUser({
        db, hasher, sipAccounts, kickProvisioning: queue.kick, provisionWaitMs: config.provisionWaitMs, logger,
        verification: emailVerification, verificationRequired: config.emailVerification.required, kickMail: mail.kick,
      }),
      metrics?.signUps,
    ),
    emailVerification,
    passwordReset,
    loginUser: createLoginUser({ users: createUsersRepository({ db }), hasher, sessions, throttle: loginThrottle }),
    sessions,
    changePassword: createChangePassword({ db, hasher, throttle: loginThrottle, sessions, notice: passwordChangedNotice }),
    sipAccounts,
    secretRotation: createSecretRotationUseCases({ db, queue, watch, cache: accountCache, encryptionKey, provisionWaitMs: config.provisionWaitMs, logger }),
    deleteAccount: lifecycle.deleteAccount,
    updateProfile: lifecycle.updateProfile,
  };
  const provisioning = buildProvisioning({ db, sipAccounts, config });
  const admin = await buildAdmin({ config, database, logger, authenticate: auth.authenticate, sessions, sipAccounts, secretRotation: useCases.secretRotation, queue, mail });
  const operator = buildOperator({ db, liveness: createWorkerLiveness(database), config, driver, kick: queue.kick, logger, requireAdmin: admin.requireAdmin, sipAccounts, mail });
  return {
    config,
    logger,
    database,
    driver,
    metrics,
    worker,
    mail, // `mail.enqueue(tx, …)` inside a transaction, then `mail.kick()`; started with the provisioning worker
    retention,
    credentialAccess, // who saw the SIP secret: `recorder` (the credential routes' port) and the access-log reads
    registrationWatch, // started by main.ts; absent when the PBX cannot tell who registered
    tokens,
    offRequestPath,
    unverifiedSweep, // started with the workers (main.ts): removes accounts never verified
    pages: lifecycle.pages,
    accountCache,
    sessionCache,
    rateLimitRedis,
    authenticate: auth.authenticate,
    useCases,
    provisioning,
    admin, // The /admin routes' guard, role cache, actions and reads (dependencies.admin.ts).
    operator, // reconcile and the CSV import, with the admin guard and audit log they answer to
    /** Stops the worker (jobs in hand finish or go back to the queue), then closes what this function opened. */
    async close(): Promise<void> {
      await operator.close(); // an import under way stops at its next row (resumed by the next runner)
      await worker.stop();
      await lifecycle.close();
      await mail.stop();
      await retention.stop();
      await registrationWatch?.stop();
      await credentialAccess.close(); // Writes the access entries still waiting, before the database closes.
      await accountCache?.stop();
      await admin.close();
      await auth.close();
      if (!overrides.driver) await driver.close();
      if (!overrides.database) await database.close();
    },
  };
}

export type Dependencies = Awaited<ReturnType<typeof buildDependencies>>;
