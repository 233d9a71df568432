import { index, integer, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { users } from '../users/users.table.ts';

/** A CSV import (POST /admin/imports): who started it, how many rows, and when its last row was handled. */
export const userImports = pgTable('user_imports', {
  id: uuid('id').primaryKey().defaultRandom(),
  /** The admin who posted it (null from the command line, or once that user is gone). */
  createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
  totalRows: integer('total_rows').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  finishedAt: timestamp('finished_at', { withTimezone: true }),
  /** The import runner (import-claims.ts) creating its rows; another takes over an unfinished import whose runner is gone. */
  runnerId: text('runner_id'),
});

/**
 * pending: not handled yet; created: the user and their account exist (the account's own status says
 * whether the extension is live); invalid: the row was refused as written; failed: it could not be created
 * (an email already registered, a number taken). `error` says why, in words.
 */
export type ImportRowStatus = 'pending' | 'created' | 'invalid' | 'failed';

export const userImportRows = pgTable(
  'user_import_rows',
  {
    importId: uuid('import_id')
      .notNull()
      .references(() => userImports.id, { onDelete: 'cascade' }),
    /** The line of the CSV body the row starts on. */
    line: integer('line').notNull(),
    email: text('email').notNull(),
    displayName: text('display_name'),
    extension: text('extension'),
    status: text('status').$type<ImportRowStatus>().notNull().default('pending'),
    error: text('error'),
    userId: uuid('user_id').references(() => users.id, { onDelete: 'set null' }),
  },
  (table) => [primaryKey({ columns: [table.importId, table.line] }), index('user_import_rows_user_id_idx').on(table.userId)],
);
