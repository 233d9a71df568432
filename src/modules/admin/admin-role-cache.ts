import type { Logger } from 'pino';
import type { DatabaseHandle } from '../../db/database.ts';
import { createNotifiedCache } from '../../db/notified-cache.ts';
import { createAdminRolesRepository, isAdminByFacts } from './admin-roles.repository.ts';

/**
 * "Is this user an admin?" for every admin request, from the database, kept in memory between changes: the
 * triggers of migration 0011 NOTIFY `admin_role_changed` with the user id on a grant, a revocation, and a
 * change of the user's email, verification, activation or deletion, on every instance (db/notified-cache.ts).
 * So a revoked admin is refused at once everywhere; while notices are down every check reads the database.
 */
export function createAdminRoleCache({ database, adminEmails, logger, ttlMs = 60_000 }: {
  database: Pick<DatabaseHandle, 'db' | 'listen'>;
  adminEmails: readonly string[];
  logger: Logger;
  ttlMs?: number;
}) {
  const cache = createNotifiedCache<{ admin: boolean }>({ database, channel: 'admin_role_changed', logger, what: 'Admin role', maxEntries: 1_000, ttlMs });
  const roles = createAdminRolesRepository({ db: database.db });
  return {
    start: cache.start,
    stop: cache.stop,
    get listening(): boolean {
      return cache.listening;
    },
    async isAdmin(userId: string): Promise<boolean> {
      const cached = cache.get(userId);
      if (cached) return cached.admin;
      const readToken = cache.beginRead();
      const admin = isAdminByFacts(await roles.factsOf(userId), adminEmails);
      cache.set(userId, { admin }, readToken);
      return admin;
    },
    /** A change this instance committed: read again at once rather than when its notice comes round. */
    forget: cache.forget,
  };
}

export type AdminRoleCache = ReturnType<typeof createAdminRoleCache>;
