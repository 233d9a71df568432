import { and, eq, sql, type SQL } from 'drizzle-orm';
import type { Queryable } from '../../db/database.ts';
import { outgoingMails, type OutgoingMailRow } from './mail.table.ts';

export function createMailRepository({ db }: { db: Queryable }) {
  return {
    async insert(mail: { template: string; locale: string; payloadCiphertext: string }): Promise<string> {
      const [row] = await db.insert(outgoingMails).values(mail).returning({ id: outgoingMails.id });
      return row!.id;
    },

    /**
     * Takes up to `limit` due mails for this worker. A mail whose worker died is due again: at once when
     * `holderIsDead` tells (db/worker-liveness.ts), else when its lease has run out. A mail still `sending` for
     * this very worker is due again too: the worker claims only with nothing in hand, so such a claim is one
     * whose answer it lost, and the mail would otherwise wait out its lease (five minutes).
     * SKIP LOCKED lets several instances claim side by side without waiting on each other.
     */
    async claimDue({ workerId, limit, leaseMs, holderIsDead = () => sql`false` }: {
      workerId: string;
      limit: number;
      leaseMs: number;
      holderIsDead?: (holder: SQL) => SQL;
    }): Promise<OutgoingMailRow[]> {
      return db
        .update(outgoingMails)
        .set({
          state: 'sending',
          lockedBy: workerId,
          lockedUntil: sql`now() + ${leaseMs} * interval '1 millisecond'`,
          attempts: sql`${outgoingMails.attempts} + 1`,
          updatedAt: sql`now()`,
        })
        .where(sql`${outgoingMails.id} in (
          select m.id from ${outgoingMails} m
          where (m.state = 'queued' and m.run_at <= now())
            or (m.state = 'sending' and (m.locked_until < now() or m.locked_by = ${workerId} or ${holderIsDead(sql`m.locked_by`)}))
          order by m.run_at limit ${limit}
          for update skip locked)`)
        .returning();
    },

    /** Sent: the sealed recipient and token are erased. Fenced on the worker's claim, like every transition. */
    markSent: (id: string, workerId: string) =>
      updateOwned(db, id, workerId, { state: 'sent', payloadCiphertext: null, lastError: null, lockedUntil: null, sentAt: sql`now()` }),

    retryLater: (id: string, workerId: string, { delayMs, errorCode }: { delayMs: number; errorCode: string }) =>
      updateOwned(db, id, workerId, {
        state: 'queued',
        lastError: errorCode,
        lockedUntil: null,
        runAt: sql`now() + ${delayMs} * interval '1 millisecond'`,
      }),

    /** Failed for good: the payload goes too, so no token outlives the mail that was to carry it. */
    markFailed: (id: string, workerId: string, errorCode: string) =>
      updateOwned(db, id, workerId, { state: 'failed', payloadCiphertext: null, lastError: errorCode, lockedUntil: null }),

    async findById(id: string): Promise<OutgoingMailRow | undefined> {
      const [row] = await db.select().from(outgoingMails).where(eq(outgoingMails.id, id));
      return row;
    },
  };
}

async function updateOwned(db: Queryable, id: string, workerId: string, values: Partial<Record<keyof OutgoingMailRow, unknown>>): Promise<boolean> {
  const rows = await db
    .update(outgoingMails)
    .set({ ...values, updatedAt: sql`now()` } as never)
    .where(and(eq(outgoingMails.id, id), eq(outgoingMails.lockedBy, workerId), eq(outgoingMails.state, 'sending')))
    .returning({ id: outgoingMails.id });
  return rows.length > 0;
}

export type MailRepository = ReturnType<typeof createMailRepository>;
