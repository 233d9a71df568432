import type { Logger } from 'pino';
import type { ResolvedConfig } from './config/load-config.ts';
import type { Database } from './db/database.ts';
import type { RequireAdmin } from './modules/admin/admin-guard.ts';
import { record as recordAudit } from './modules/admin/audit-log.repository.ts';
import type { PbxDriver } from './modules/pbx/pbx-driver.ts';
import type { AdminAccess, AdminAudit } from './modules/reconcile/admin.port.ts';
import { createReconcile } from './modules/reconcile/reconcile.usecases.ts';
import { createImportProgress } from './modules/imports/import-progress.ts';
import { createUserImports } from './modules/imports/imports.usecases.ts';
import type { Mail } from './modules/mail/create-mail.ts';
import type { WorkerLiveness } from './db/worker-liveness.ts';
import type { SipAccountUseCases } from './modules/sip-accounts/sip-accounts.usecases.ts';

/** The admin module's guard as the operator routes' port wants it. */
function adminAccess(requireAdmin: RequireAdmin): AdminAccess {
  return { requireAdmin: async (request) => ({ userId: await requireAdmin(request) }) };
}

/** The admin module's audit log as the operator routes' port wants it (what the action was about goes in its detail). */
function adminAudit(db: Database): AdminAudit {
  return {
    record: ({ actorId, action, target, detail, address }) =>
      recordAudit(db, { actorUserId: actorId, action, address: address ?? null, detail: { ...detail, ...(target ? { target } : {}) } }),
  };
}

/** The composition root's operator part: reconcile and the CSV import, behind the admin guard, written to the audit log. */
export function buildOperator({ db, liveness, config, driver, kick, logger, requireAdmin, sipAccounts, mail }: {
  db: Database;
  liveness: WorkerLiveness; // tells an import runner that died from one that runs
  sipAccounts: Pick<SipAccountUseCases, 'openAccount'>;
  mail: Pick<Mail, 'enqueue' | 'kick'>;
  config: ResolvedConfig;
  driver: PbxDriver;
  kick: () => void;
  logger: Logger;
  requireAdmin: RequireAdmin;
}) {
  const imports = createUserImports({
    db,
    liveness,
    sipAccounts,
    mail,
    kickProvisioning: kick,
    publicBaseUrl: config.provisioning.publicBaseUrl,
    extensionRange: config.extensionRange,
    encryptionKey: config.credentialsEncryptionKey,
    logger: logger.child({ component: 'imports' }),
  });
  return {
    imports,
    importProgress: createImportProgress({ db }),
    /** Imports under way stop at their next row; the rest is resumed by the next runner. */
    close: () => imports.close(),
    access: adminAccess(requireAdmin),
    audit: adminAudit(db),
    reconcile: createReconcile({
      db,
      driver,
      encryptionKey: config.credentialsEncryptionKey,
      extensionRange: config.extensionRange,
      kick,
      logger: logger.child({ component: 'reconcile' }),
    }),
  };
}
