/**
 * A small RFC 4180 CSV reader and writer: quoted fields with embedded commas, quotes ("") and line
 * breaks; CRLF or LF records; UTF-8 with or without a byte order mark. Written here rather than
 * pulled in because the directory import needs exact row numbers and strict errors, not leniency.
 */

export type CsvResult = { ok: true; records: string[][] } | { ok: false; record: number; message: string };

/**
 * Parses CSV text into records of fields. A quote inside an unquoted field, text after a closing
 * quote and an unterminated quoted field are errors naming the 1-based record. A final line break
 * does not start an empty record.
 */
export function parseCsv(input: string, limits: { maxRecords: number; maxFieldChars: number } = { maxRecords: 100_000, maxFieldChars: 100_000 }): CsvResult {
  const text = input.startsWith('\uFEFF') ? input.slice(1) : input;
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  let afterQuote = false;
  let started = false;
  const n = text.length;
  const endField = (): void => {
    record.push(field);
    field = '';
    quoted = false;
    afterQuote = false;
  };
  while (i < n) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        afterQuote = true;
        i += 1;
        continue;
      }
      field += c;
      i += 1;
    } else if (c === ',') {
      endField();
      started = true;
      i += 1;
    } else if (c === '\r' || c === '\n') {
      endField();
      records.push(record);
      record = [];
      started = false;
      i += c === '\r' && text[i + 1] === '\n' ? 2 : 1;
      if (records.length > limits.maxRecords) return { ok: false, record: records.length, message: `more than ${limits.maxRecords} records` };
      continue;
    } else if (afterQuote) {
      return { ok: false, record: records.length + 1, message: 'text after a closing quote (a quote inside a field must be doubled)' };
    } else if (c === '"') {
      if (field !== '') return { ok: false, record: records.length + 1, message: 'a quote inside an unquoted field (quote the whole field and double the quote)' };
      quoted = true;
      started = true;
      i += 1;
    } else {
      field += c;
      started = true;
      i += 1;
    }
    if (field.length > limits.maxFieldChars) return { ok: false, record: records.length + 1, message: `a field longer than ${limits.maxFieldChars} characters` };
  }
  if (quoted) return { ok: false, record: records.length + 1, message: 'a quoted field is not terminated' };
  if (started || field !== '' || record.length > 0 || afterQuote) {
    endField();
    records.push(record);
  }
  return { ok: true, records };
}

// OWASP "CSV injection": a spreadsheet evaluates a cell starting with these as a formula.
const FORMULA_START = /^[=+\-@\t\r]/u;

/** A cell made safe to open in a spreadsheet: a formula-looking value gets a leading apostrophe. */
export function neutraliseFormula(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

/** Undoes {@link neutraliseFormula} on import, so an exported file imports back unchanged. */
export function restoreFormula(value: string): string {
  return value.startsWith("'") && FORMULA_START.test(value.slice(1)) ? value.slice(1) : value;
}

function quote(value: string): string {
  return /[",\r\n]/u.test(value) ? `"${value.replace(/"/gu, '""')}"` : value;
}

/**
 * Writes records as RFC 4180 CSV (CRLF line breaks, quoting only where needed), with a UTF-8 BOM
 * so spreadsheet programs read Cyrillic correctly, and every cell neutralised against formula
 * injection.
 */
export function writeCsv(records: readonly (readonly string[])[]): string {
  return `\uFEFF${records.map((r) => r.map((v) => quote(neutraliseFormula(v))).join(',')).join('\r\n')}\r\n`;
}
