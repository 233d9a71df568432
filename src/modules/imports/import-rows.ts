import { DisplayName } from '../onboarding/onboarding.schemas.ts';
import type { CsvProblem, CsvRecord } from './csv.ts';
import type { NewImportRow } from './imports.repository.ts';

const EMAIL = /^[^\s@"(),:;<>[\\\]]+@[^\s@"(),:;<>[\\\]]+\.[^\s@"(),:;<>[\\\]]+$/;
const NAME = new RegExp(DisplayName.pattern!, 'u');

/**
 * Each CSV record as a row to import, or refused with the reason (`invalid`): `email,display_name[,extension]`,
 * an optional header line (its first field `email`), the extension a number of EXTENSION_RANGE. An email twice
 * in the file is refused on its later lines. Rows the parser could not read are refused with its reason.
 */
export function toImportRows(parsed: { records: CsvRecord[]; problems: CsvProblem[] }, range: { first: number; last: number }): NewImportRow[] {
  const rows: NewImportRow[] = parsed.problems.map((problem) => invalid(problem.line, '', `not valid CSV: ${problem.message}`));
  const seen = new Set<string>();
  parsed.records.forEach((record, index) => {
    const [rawEmail = '', rawName = '', rawExtension = ''] = record.fields.map((field) => field.trim());
    if (index === 0 && rawEmail.toLowerCase() === 'email') return;
    const email = rawEmail.slice(0, 254);
    const extension = rawExtension || null;
    const problem =
      record.fields.length < 2 || record.fields.length > 3 ? `expected 2 or 3 fields (email,display_name[,extension]), found ${record.fields.length}`
        : !EMAIL.test(rawEmail) || rawEmail.length > 254 ? 'the email is not a valid address'
          : rawName !== '' && (rawName.length > 100 || !NAME.test(rawName)) ? 'the display name must be 1 to 100 printable characters'
            : extension !== null && !inRange(extension, range) ? `the extension must be a number from ${range.first} to ${range.last}`
              : seen.has(rawEmail.toLowerCase()) ? 'the same email is on an earlier line'
                : undefined;
    if (problem) return void rows.push(invalid(record.line, email, problem));
    seen.add(email.toLowerCase());
    rows.push({ line: record.line, email, displayName: rawName || null, extension, status: 'pending', error: null });
  });
  return rows.sort((a, b) => a.line - b.line);
}

function inRange(extension: string, range: { first: number; last: number }): boolean {
  return /^[1-9][0-9]{0,17}$/.test(extension) && Number(extension) >= range.first && Number(extension) <= range.last;
}

const invalid = (line: number, email: string, error: string): NewImportRow => ({ line, email, displayName: null, extension: null, status: 'invalid', error });
