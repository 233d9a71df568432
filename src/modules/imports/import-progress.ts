import type { Database } from '../../db/database.ts';
import { defineError } from '../../shared/errors.ts';
import { createImportsRepository } from './imports.repository.ts';
import type { ImportRowStatus } from './imports.table.ts';

export const importNotFoundError = defineError({ status: 404, code: 'import_not_found', title: 'No such import' });

export interface ImportProgress {
  id: string;
  createdAt: Date;
  /** When every row had been handled (the extensions may still be on their way to the PBX). */
  finishedAt: Date | null;
  total: number;
  counts: Record<ImportRowStatus, number> & { live: number };
  rows: Array<{ line: number; email: string; status: ImportRowStatus; error: string | null; extension: string | null; accountStatus: string | null }>;
}

/** An import as it stands: each row's outcome and, for a created one, its account's state on the PBX. */
export function createImportProgress({ db }: { db: Database }) {
  const imports = createImportsRepository({ db });
  return async function importProgress(id: string): Promise<ImportProgress> {
    const found = /^[0-9a-f-]{36}$/i.test(id) ? await imports.find(id) : undefined;
    if (!found) throw importNotFoundError({ detail: 'No import has this id.' });
    const rows = await imports.rowsWithAccounts(id);
    const counts = { pending: 0, created: 0, invalid: 0, failed: 0, live: 0 };
    for (const { row, accountStatus } of rows) {
      counts[row.status]++;
      if (accountStatus === 'active') counts.live++;
    }
    return {
      id,
      createdAt: found.createdAt,
      finishedAt: found.finishedAt,
      total: found.totalRows,
      counts,
      rows: rows.map(({ row, accountStatus, accountExtension, accountError }) => ({
        line: row.line,
        email: row.email,
        status: row.status,
        error: row.error ?? (accountStatus === 'failed' ? accountError : null),
        extension: accountExtension ?? row.extension,
        accountStatus: accountStatus ?? null,
      })),
    };
  };
}

export type ImportProgressReader = ReturnType<typeof createImportProgress>;
