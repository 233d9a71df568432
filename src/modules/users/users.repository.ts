import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Queryable } from '../../db/database.ts';
import { users, type UserRow } from './users.table.ts';

export function createUsersRepository({ db }: { db: Queryable }) {
  return {
    async insert(user: { email: string; passwordHash: string; displayName: string | null; locale?: string | null }): Promise<UserRow> {
      const [row] = await db.insert(users).values(user).returning();
      return row!;
    },

    async findByEmail(email: string): Promise<UserRow | undefined> {
      const [row] = await db.select().from(users).where(eq(sql`lower(${users.email})`, email.toLowerCase())).limit(1);
      return row;
    },

    async findById(id: string): Promise<UserRow | undefined> {
      const [row] = await db.select().from(users).where(eq(users.id, id)).limit(1);
      return row;
    },

    /** Marks the user as leaving; false when they already were (a second request racing the first). */
    async markDeleting(id: string): Promise<boolean> {
      const rows = await db
        .update(users)
        .set({ deletionRequestedAt: sql`now()` })
        .where(and(eq(users.id, id), isNull(users.deletionRequestedAt)))
        .returning({ id: users.id });
      return rows.length > 0;
    },

    async setDisplayName(id: string, displayName: string): Promise<void> {
      await db.update(users).set({ displayName }).where(eq(users.id, id));
    },

    /** The language of the user's mails and pages from now on. */
    async setLocale(id: string, locale: string): Promise<void> {
      await db.update(users).set({ locale }).where(eq(users.id, id));
    },

    /**
     * Deactivates (an admin disabled them: logins answer 403 user_inactive) or reactivates the user; false when
     * they already were so, or are leaving.
     */
    async setActive(id: string, active: boolean): Promise<boolean> {
      const rows = await db
        .update(users)
        .set({ isActive: active })
        .where(and(eq(users.id, id), eq(users.isActive, !active), isNull(users.deletionRequestedAt)))
        .returning({ id: users.id });
      return rows.length > 0;
    },

    /** Erases the user; their SIP account and provisioning links go with the row (foreign keys cascade). */
    async erase(id: string): Promise<void> {
      await db.delete(users).where(eq(users.id, id));
    },
  };
}

export type UsersRepository = ReturnType<typeof createUsersRepository>;
export const USERS_EMAIL_CONSTRAINT = 'users_email_lower_key';
