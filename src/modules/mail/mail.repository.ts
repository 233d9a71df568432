import { and, eq, sql } from 'drizzle-orm';
import { queryRows, type Queryable } from '../../db/database.ts';
import { outgoingMails, type OutgoingMailRow } from './mail.table.ts';

export function createMailRepository({ db }: { db: Queryable }) {
  return {
    async insert(mail: { template: string; locale: string; payloadCiphertext: string }): Promise<string> {
      const [row] = await db.insert(outgoingMails).values(mail).returning({ id: outgoingMails.id });
      return row!.id;
    },

    /**
     * Takes up to `limit` due mails for this worker; a mail whose worker died (lease run out) is due again.
     * SKIP LOCKED lets several instances claim side by side without waiting on each other.
     */
    async claimDue({ workerId, limit, leaseMs }: { workerId: string; limit: number; leaseMs: number }): Promise<OutgoingMailRow[]> {
      const rows = await queryRows<{ id: string }>(db, sql`
        update ${outgoingMails} set state = 'sending', locked_by = ${workerId},
          locked_until = now() + ${leaseMs} * interval '1 millisecond', attempts = attempts + 1, updated_at = now()
        where id in (
          select m.id from ${outgoingMails} m
          where (m.state = 'queued' and m.run_at <= now()) or (m.state = 'sending' and m.locked_until < now())
          order by m.run_at limit ${limit}
          for update skip locked)
        returning id`);
      const ids = rows.map((row) => row.id);
      if (ids.length === 0) return [];
      return db.select().from(outgoingMails).where(sql`${outgoingMails.id} in ${ids}`);
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
