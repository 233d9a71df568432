import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../src/modules/imports/csv.ts';

describe('parseCsv (RFC 4180, strict)', () => {
  it('reads plain records separated by CRLF or LF, each with the line it starts on', () => {
    expect(parseCsv('a@x.test,Ana\r\nb@x.test,Bob,1005\nc@x.test,\n')).toEqual({
      records: [
        { line: 1, fields: ['a@x.test', 'Ana'] },
        { line: 2, fields: ['b@x.test', 'Bob', '1005'] },
        { line: 3, fields: ['c@x.test', ''] },
      ],
      problems: [],
    });
  });

  it('reads quoted fields with commas, doubled quotes and line breaks inside', () => {
    const { records } = parseCsv('"a@x.test","Smith, ""Ana"""\n"b@x.test","two\nlines"\nc@x.test,Cy');
    expect(records).toEqual([
      { line: 1, fields: ['a@x.test', 'Smith, "Ana"'] },
      { line: 2, fields: ['b@x.test', 'two\nlines'] },
      { line: 4, fields: ['c@x.test', 'Cy'] },
    ]);
  });

  it('skips empty lines and a byte-order mark, and keeps an empty last field', () => {
    expect(parseCsv('\uFEFFa@x.test,Ana\n\n\r\nb@x.test,\r\n').records).toEqual([
      { line: 1, fields: ['a@x.test', 'Ana'] },
      { line: 4, fields: ['b@x.test', ''] },
    ]);
  });

  it('reports a broken record by its line and goes on with the next ones', () => {
    const { records, problems } = parseCsv('a@x.test,An"a\n"b@x.test"x,Bob\nc@x.test,Cy\n"d@x.test,never closed\ne@x.test,Ed');
    expect(problems).toEqual([
      { line: 1, message: 'a quote inside a field that does not start with one' },
      { line: 2, message: 'text after a closing quote' },
      { line: 4, message: 'a quoted field is never closed' },
    ]);
    expect(records).toEqual([{ line: 3, fields: ['c@x.test', 'Cy'] }]);
  });

  it('reads an empty text as no records', () => {
    expect(parseCsv('')).toEqual({ records: [], problems: [] });
  });
});
