import { sql } from 'drizzle-orm';
import { queryRows, type Queryable } from '../../src/db/database.ts';

export interface MailRowView {
  id: string;
  template: string;
  locale: string;
  state: string;
  attempts: number;
  payload_ciphertext: string | null;
  last_error: string | null;
  /** As the engine's raw rows give it (a string on PGlite, a Date on node-postgres). */
  sent_at: unknown;
}

/** The stored row of one queued mail, as the tests check it. */
export async function mailRow(db: Queryable, id: string): Promise<MailRowView | undefined> {
  const [row] = await queryRows<MailRowView>(db, sql`select * from outgoing_mails where id = ${id}`);
  return row;
}
