import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { Queryable } from '../../db/database.ts';
import { provisioningJobs } from '../provisioning-jobs/jobs.table.ts';
import { reservedExtensions, sipAccounts } from '../sip-accounts/sip-accounts.table.ts';
import { userImportRows, userImports, type ImportRowStatus } from './imports.table.ts';

export type NewImportRow = { line: number; email: string; displayName: string | null; extension: string | null; status: ImportRowStatus; error: string | null };

export function createImportsRepository({ db }: { db: Queryable }) {
  return {
    async create(createdBy: string | null, runnerId: string, rows: NewImportRow[]): Promise<string> {
      const [created] = await db.insert(userImports).values({ createdBy, runnerId, totalRows: rows.length }).returning({ id: userImports.id });
      for (let i = 0; i < rows.length; i += 1000) {
        await db.insert(userImportRows).values(rows.slice(i, i + 1000).map((row) => ({ ...row, importId: created!.id })));
      }
      return created!.id;
    },

    /** Kept back (someone else's on the PBX, the operator's, or a user's who left): never handed to an import row. */
    isReserved: async (extension: string) =>
      (await db.select({ extension: reservedExtensions.extension }).from(reservedExtensions).where(eq(reservedExtensions.extension, extension)).limit(1)).length > 0,

    find: async (id: string) => (await db.select().from(userImports).where(eq(userImports.id, id)).limit(1))[0],

    pendingRows: (importId: string) =>
      db.select().from(userImportRows).where(and(eq(userImportRows.importId, importId), eq(userImportRows.status, 'pending'))).orderBy(asc(userImportRows.line)),

    async settleRow(importId: string, line: number, outcome: { status: ImportRowStatus; error?: string | null; userId?: string | null }) {
      await db
        .update(userImportRows)
        .set({ status: outcome.status, error: outcome.error ?? null, userId: outcome.userId ?? null })
        .where(and(eq(userImportRows.importId, importId), eq(userImportRows.line, line)));
    },

    /** Every row with its account's state, in line order. */
    rowsWithAccounts: (importId: string) =>
      db
        .select({ row: userImportRows, accountStatus: sipAccounts.status, accountExtension: sipAccounts.extension, accountError: sipAccounts.lastError })
        .from(userImportRows)
        .leftJoin(sipAccounts, eq(sipAccounts.userId, userImportRows.userId))
        .where(eq(userImportRows.importId, importId))
        .orderBy(asc(userImportRows.line)),

    /**
     * The import's create jobs were queued held back; all are made due at once, so the worker pushes them
     * batch after batch and one Apply Config makes them live together (instead of one per handful of rows).
     */
    async releaseJobs(importId: string): Promise<void> {
      await db
        .update(provisioningJobs)
        .set({ runAt: sql`now()` })
        .where(
          and(
            eq(provisioningJobs.state, 'queued'),
            inArray(
              provisioningJobs.sipAccountId,
              db.select({ id: sipAccounts.id }).from(sipAccounts).innerJoin(userImportRows, eq(userImportRows.userId, sipAccounts.userId)).where(eq(userImportRows.importId, importId)),
            ),
          ),
        );
      await db.update(userImports).set({ finishedAt: sql`now()` }).where(eq(userImports.id, importId));
    },

    /** Holds the just-queued jobs of `sipAccountId` back until `releaseJobs` (or `holdSeconds`, should the process die first). */
    async holdJobs(sipAccountId: string, holdSeconds: number): Promise<void> {
      await db
        .update(provisioningJobs)
        .set({ runAt: sql`now() + make_interval(secs => ${holdSeconds})` })
        .where(and(eq(provisioningJobs.sipAccountId, sipAccountId), eq(provisioningJobs.state, 'queued')));
    },
  };
}
