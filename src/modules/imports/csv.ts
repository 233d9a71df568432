/** One record of a CSV text, with the line (1-based) it starts on. */
export interface CsvRecord {
  line: number;
  fields: string[];
}

/** A record that breaks RFC 4180: reported with its line, and the parser goes on at the next line. */
export interface CsvProblem {
  line: number;
  message: string;
}

/**
 * A strict RFC 4180 reader: fields separated by commas, records by CRLF (a bare LF is accepted too), a field
 * either plain (no quote, comma or line break in it) or wholly in double quotes, with `""` for a quote and
 * line breaks allowed inside. A byte-order mark is dropped and empty lines are skipped. A record that
 * breaks the rules (a quote inside a plain field, text after a closing quote, a quote never closed) is a
 * problem of its own line, never the end of the others: reading resumes at the next line.
 */
export function parseCsv(text: string): { records: CsvRecord[]; problems: CsvProblem[] } {
  const input = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const records: CsvRecord[] = [];
  const problems: CsvProblem[] = [];
  let i = 0;
  let line = 1;
  const atEnd = () => i >= input.length;
  const atBreak = () => input[i] === '\n' || (input[i] === '\r' && input[i + 1] === '\n');
  const skipBreak = () => {
    i += input[i] === '\r' ? 2 : 1;
    line++;
  };
  const skipToNextLine = () => {
    while (!atEnd() && !atBreak()) i++;
    if (!atEnd()) skipBreak();
  };

  while (!atEnd()) {
    if (atBreak()) {
      skipBreak();
      continue;
    }
    const start = line;
    const fields: string[] = [];
    let problem: string | undefined;
    for (;;) {
      let field = '';
      if (input[i] === '"') {
        i++;
        for (;;) {
          if (atEnd()) {
            problem = 'a quoted field is never closed';
            break;
          }
          if (input[i] === '"') {
            if (input[i + 1] === '"') {
              field += '"';
              i += 2;
              continue;
            }
            i++;
            break;
          }
          if (input[i] === '\n') line++;
          field += input[i++];
        }
        if (!problem && !atEnd() && input[i] !== ',' && !atBreak()) problem = 'text after a closing quote';
      } else {
        while (!atEnd() && input[i] !== ',' && !atBreak()) {
          if (input[i] === '"') problem ??= 'a quote inside a field that does not start with one';
          field += input[i++];
        }
      }
      if (problem) break;
      fields.push(field);
      if (input[i] === ',') {
        i++;
        continue;
      }
      break;
    }
    if (problem) {
      problems.push({ line: start, message: problem });
      skipToNextLine();
      continue;
    }
    records.push({ line: start, fields });
    if (!atEnd()) skipBreak();
  }
  return { records, problems };
}
