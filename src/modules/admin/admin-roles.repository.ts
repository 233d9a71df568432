import { eq, sql } from 'drizzle-orm';
import type { Queryable } from '../../db/database.ts';
import { users } from '../users/users.table.ts';
import { adminGrants } from './admin-grants.table.ts';

/** What decides whether a user is an admin, read in one query (see `isAdminByFacts`). */
export interface AdminFacts {
  email: string;
  emailVerified: boolean;
  active: boolean;
  leaving: boolean;
  /** granted: an admin (or the CLI) made them one; revoked: one took it away; null: no decision, ADMIN_EMAILS decides. */
  decision: 'granted' | 'revoked' | null;
}

/**
 * The rule: never a deactivated user or one who is leaving; else an explicit grant or revocation decides;
 * else a verified email listed in ADMIN_EMAILS (`adminEmails` lower-cased).
 */
export function isAdminByFacts(facts: AdminFacts | undefined, adminEmails: readonly string[]): boolean {
  if (!facts || !facts.active || facts.leaving) return false;
  if (facts.decision) return facts.decision === 'granted';
  return facts.emailVerified && adminEmails.includes(facts.email.toLowerCase());
}

/**
 * Admin grants and revocations. `grantAdmin` / `revokeAdmin` take an email (the CLI's `admin grant|revoke
 * EMAIL`) and answer the user id, or undefined when no user has that email; `by` is the acting admin (none for
 * the CLI). A change NOTIFYs `admin_role_changed`, so every instance's role cache drops the user at once.
 */
export function createAdminRolesRepository({ db }: { db: Queryable }) {
  const userIdOf = async (email: string) => {
    const [row] = await db.select({ id: users.id }).from(users).where(eq(sql`lower(${users.email})`, email.trim().toLowerCase())).limit(1);
    return row?.id;
  };

  return {
    async grantAdmin(email: string, { by = null }: { by?: string | null } = {}): Promise<string | undefined> {
      const userId = await userIdOf(email);
      if (!userId) return undefined;
      await db
        .insert(adminGrants)
        .values({ userId, grantedBy: by })
        .onConflictDoUpdate({ target: adminGrants.userId, set: { grantedAt: sql`now()`, grantedBy: by, revokedAt: null, revokedBy: null } });
      return userId;
    },

    async revokeAdmin(email: string, { by = null }: { by?: string | null } = {}): Promise<string | undefined> {
      const userId = await userIdOf(email);
      if (!userId) return undefined;
      await db
        .insert(adminGrants)
        .values({ userId, revokedAt: sql`now()`, revokedBy: by })
        .onConflictDoUpdate({ target: adminGrants.userId, set: { revokedAt: sql`now()`, revokedBy: by } });
      return userId;
    },

    /** The facts of `isAdminByFacts`, or undefined when the user does not exist. */
    async factsOf(userId: string): Promise<AdminFacts | undefined> {
      const [row] = await db
        .select({
          email: users.email,
          emailVerifiedAt: users.emailVerifiedAt,
          active: users.isActive,
          deletionRequestedAt: users.deletionRequestedAt,
          hasGrant: sql<boolean>`${adminGrants.userId} is not null`,
          revokedAt: adminGrants.revokedAt,
        })
        .from(users)
        .leftJoin(adminGrants, eq(adminGrants.userId, users.id))
        .where(eq(users.id, userId))
        .limit(1);
      if (!row) return undefined;
      return {
        email: row.email,
        emailVerified: row.emailVerifiedAt !== null,
        active: row.active,
        leaving: row.deletionRequestedAt !== null,
        decision: row.hasGrant ? (row.revokedAt ? 'revoked' : 'granted') : null,
      };
    },

    /** Whether the user is an admin now, read from the database (no cache: the CLI, tests). */
    async isAdmin(userId: string, adminEmails: readonly string[]): Promise<boolean> {
      return isAdminByFacts(await this.factsOf(userId), adminEmails);
    },
  };
}

export type AdminRolesRepository = ReturnType<typeof createAdminRolesRepository>;
