import type { Logger } from 'pino';
import type { ResolvedConfig } from './config/load-config.ts';
import type { Database } from './db/database.ts';
import { defineError } from './shared/errors.ts';
import type { Authenticate } from './modules/auth/authenticate.ts';
import type { PbxDriver } from './modules/pbx/pbx-driver.ts';
import type { AdminAccess, AdminAudit } from './modules/reconcile/admin.port.ts';
import { createReconcile } from './modules/reconcile/reconcile.usecases.ts';
import { createImportProgress } from './modules/imports/import-progress.ts';
import { createUserImports } from './modules/imports/imports.usecases.ts';
import type { Mail } from './modules/mail/create-mail.ts';
import type { SipAccountUseCases } from './modules/sip-accounts/sip-accounts.usecases.ts';

const adminRequired = defineError({ status: 403, code: 'admin_required', title: 'Administrator access required' });

/**
 * PLACEHOLDERS until the admin module (src/modules/admin) is merged: its guard and audit log replace these
 * two. Until then every /admin route is refused (403 after a valid bearer token), never left open.
 */
export function placeholderAdminAccess(authenticate: Authenticate): AdminAccess {
  return {
    async requireAdmin(request) {
      await authenticate(request);
      throw adminRequired({ detail: 'Only an administrator may do this.' });
    },
  };
}

export function placeholderAudit(logger: Logger): AdminAudit {
  return {
    async record(entry) {
      logger.info({ audit: entry }, 'admin action');
    },
  };
}

export type OperatorOverrides = { access?: AdminAccess; audit?: AdminAudit };

/** The composition root's operator part: reconcile (and, later, the CSV import), behind the admin guard. */
export function buildOperator({ db, config, driver, kick, logger, authenticate, sipAccounts, mail, admin = {} }: {
  db: Database;
  sipAccounts: Pick<SipAccountUseCases, 'openAccount'>;
  mail: Pick<Mail, 'enqueue' | 'kick'>;
  config: ResolvedConfig;
  driver: PbxDriver;
  kick: () => void;
  logger: Logger;
  authenticate: Authenticate;
  admin?: OperatorOverrides;
}) {
  const imports = createUserImports({
    db,
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
    /** Imports under way finish their rows first. */
    close: () => imports.close(),
    access: admin.access ?? placeholderAdminAccess(authenticate),
    audit: admin.audit ?? placeholderAudit(logger.child({ component: 'audit' })),
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
