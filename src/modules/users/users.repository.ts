import { eq, sql } from 'drizzle-orm';
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
  };
}

export type UsersRepository = ReturnType<typeof createUsersRepository>;
export const USERS_EMAIL_CONSTRAINT = 'users_email_lower_key';
