import type { Logger } from 'pino';
import type { ResolvedConfig } from './config/load-config.ts';
import type { DatabaseHandle } from './db/database.ts';
import { createAdminRoleCache } from './modules/admin/admin-role-cache.ts';
import { createRequireAdmin } from './modules/admin/admin-guard.ts';
import { createAdminStats } from './modules/admin/admin-stats.ts';
import { createAdminUsersRepository } from './modules/admin/admin-users.repository.ts';
import { createAdminUserActions } from './modules/admin/admin-users.usecases.ts';
import { createAuditLogRepository } from './modules/admin/audit-log.repository.ts';
import type { Authenticate } from './modules/auth/authenticate.ts';
import type { SessionUseCases } from './modules/auth/sessions.usecases.ts';
import type { Mail } from './modules/mail/create-mail.ts';
import { createRemoveUser } from './modules/me/delete-account.ts';
import { createAccountAdministration } from './modules/sip-accounts/account-administration.ts';
import type { ProvisioningQueue } from './modules/sip-accounts/provisioning-queue.port.ts';
import type { SecretRotationUseCases } from './modules/sip-accounts/secret-rotation.usecases.ts';
import type { SipAccountUseCases } from './modules/sip-accounts/sip-accounts.usecases.ts';

/**
 * The composition root's admin part: the role cache (started here, stopped by `close`), the guard of the
 * /admin routes, the actions on users (the PBX only through the jobs they queue) and the reads.
 */
export async function buildAdmin({ config, database, logger, authenticate, sessions, sipAccounts, secretRotation, queue, mail }: {
  config: ResolvedConfig;
  database: DatabaseHandle;
  logger: Logger;
  authenticate: Authenticate;
  sessions: SessionUseCases;
  sipAccounts: SipAccountUseCases;
  secretRotation: SecretRotationUseCases;
  queue: ProvisioningQueue;
  mail: Mail;
}) {
  const { db } = database;
  const roles = createAdminRoleCache({ database, adminEmails: config.adminEmails, logger });
  await roles.start();
  const adminLogger = logger.child({ component: 'admin' });
  return {
    roles,
    requireAdmin: createRequireAdmin({ authenticate, roles }),
    users: createAdminUsersRepository({ db }),
    auditLog: createAuditLogRepository({ db }),
    readStats: createAdminStats({ db }),
    actions: createAdminUserActions({
      db,
      sessions,
      accounts: createAccountAdministration({ encryptionKey: config.credentialsEncryptionKey, queue }),
      rotation: secretRotation,
      removeUser: createRemoveUser({ db, sessions, sipAccounts, mail, kickProvisioning: queue.kick, logger: adminLogger }),
      kickProvisioning: queue.kick,
      logger: adminLogger,
    }),
    close: () => roles.stop(),
  };
}
