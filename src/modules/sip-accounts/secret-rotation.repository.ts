import { and, eq, isNotNull, sql } from 'drizzle-orm';
import type { Queryable } from '../../db/database.ts';
import { sipAccounts } from './sip-accounts.table.ts';

/**
 * A rotation keeps the live secret until the PBX has the new one live: the new secret waits in
 * `next_secret_ciphertext`, an update job pushes it, and its completion promotes it.
 */
export function createSecretRotationRepository({ db }: { db: Queryable }) {
  return {
    /** Stores the next secret unless a rotation is already under way; true when this call stored it. */
    async setNextSecret(id: string, nextSecretCiphertext: string): Promise<boolean> {
      const rows = await db
        .update(sipAccounts)
        .set({ nextSecretCiphertext, updatedAt: sql`now()` })
        .where(and(eq(sipAccounts.id, id), sql`${sipAccounts.nextSecretCiphertext} is null`))
        .returning({ id: sipAccounts.id });
      return rows.length > 0;
    },

    /**
     * Makes the pushed secret the live one as version `secretVersion`. Idempotent: a job run twice (a lease
     * taken over) or one that pushed no rotation changes nothing.
     */
    async promoteNextSecret(id: string, secretVersion: number): Promise<boolean> {
      const rows = await db
        .update(sipAccounts)
        .set({
          secretCiphertext: sql`${sipAccounts.nextSecretCiphertext}`,
          nextSecretCiphertext: null,
          secretVersion,
          // "Registered" is about the credentials a phone has: with a new secret (a rotation, or an admin's
          // enable) it is unknown again until the registration watch sees a phone registered with it.
          registeredAt: null,
          registeredUserAgent: null,
          updatedAt: sql`now()`,
        })
        .where(and(eq(sipAccounts.id, id), isNotNull(sipAccounts.nextSecretCiphertext), eq(sipAccounts.secretVersion, secretVersion - 1)))
        .returning({ id: sipAccounts.id });
      return rows.length > 0;
    },
  };
}
