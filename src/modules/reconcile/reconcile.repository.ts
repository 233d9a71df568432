import { and, between, desc, inArray, isNull } from 'drizzle-orm';
import type { Queryable } from '../../db/database.ts';
import { provisioningJobs, type JobKind } from '../provisioning-jobs/jobs.table.ts';
import { extensionNumber } from '../sip-accounts/extension-number.ts';
import { reservedExtensions, sipAccounts } from '../sip-accounts/sip-accounts.table.ts';

const UNFINISHED = ['queued', 'running', 'awaiting_apply'] as const;

export const FOREIGN_REASON = 'on the PBX, not made by this service (found by reconcile)';

/** Runs `query` over `values` a thousand at a time (a statement takes at most 65,535 parameters). */
async function inChunks<T, R>(values: T[], query: (chunk: T[]) => Promise<R[]>): Promise<R[]> {
  const rows: R[] = [];
  for (let i = 0; i < values.length; i += 1000) rows.push(...(await query(values.slice(i, i + 1000))));
  return rows;
}

/** The reads and writes of a reconciliation; every query is bounded by the range or by the numbers asked about. */
export function createReconcileRepository({ db }: { db: Queryable }) {
  return {
    accountsInRange: (range: { first: number; last: number }) =>
      db
        .select({
          id: sipAccounts.id,
          userId: sipAccounts.userId,
          extension: sipAccounts.extension,
          status: sipAccounts.status,
          secretCiphertext: sipAccounts.secretCiphertext,
          nextSecretCiphertext: sipAccounts.nextSecretCiphertext,
          secretVersion: sipAccounts.secretVersion,
        })
        .from(sipAccounts)
        .where(between(extensionNumber(sipAccounts.extension), range.first, range.last)),

    /** Numbers with a job still to finish: their state is the job's to settle, not reconcile's. */
    async withUnfinishedJobs(): Promise<Set<string>> {
      const rows = await db
        .selectDistinct({ extension: provisioningJobs.extension })
        .from(provisioningJobs)
        .where(inArray(provisioningJobs.state, [...UNFINISHED]));
      return new Set(rows.map((row) => row.extension));
    },

    /** The kind of the newest job each number had (jobs stay, anonymous, after their account is gone). */
    async lastJobKinds(extensions: string[]): Promise<Map<string, JobKind>> {
      const rows = await inChunks(extensions, (chunk) => db
        .selectDistinctOn([provisioningJobs.extension], { extension: provisioningJobs.extension, kind: provisioningJobs.kind })
        .from(provisioningJobs)
        .where(inArray(provisioningJobs.extension, chunk))
        .orderBy(provisioningJobs.extension, desc(provisioningJobs.createdAt)));
      return new Map(rows.map((row) => [row.extension, row.kind]));
    },

    /** Numbers reserved for ever (someone else's on the PBX, or kept back by the operator). */
    async reservedForEver(extensions: string[]): Promise<Set<string>> {
      const rows = await inChunks(extensions, (chunk) => db
        .select({ extension: reservedExtensions.extension })
        .from(reservedExtensions)
        .where(and(inArray(reservedExtensions.extension, chunk), isNull(reservedExtensions.reusableAfter))));
      return new Set(rows.map((row) => row.extension));
    },

    /** Someone else's numbers are never handed out (an existing reservation is kept as it is). */
    async reserveForeign(extensions: string[]): Promise<void> {
      await inChunks(extensions, async (chunk) => {
        await db.insert(reservedExtensions).values(chunk.map((extension) => ({ extension, reason: FOREIGN_REASON }))).onConflictDoNothing();
        return [];
      });
    },

    async enqueue(jobs: Array<{ sipAccountId: string | null; extension: string; kind: JobKind; secretVersion?: number }>): Promise<void> {
      await inChunks(jobs, async (chunk) => {
        await db.insert(provisioningJobs).values(chunk);
        return [];
      });
    },
  };
}
