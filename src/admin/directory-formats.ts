/**
 * The two exchange formats of the participant directory: CSV with a fixed header (RFC 4180) and a
 * namespaced XML document `urn:edx-gateway:directory:1`. Both read into the same raw rows, so one
 * checker reports problems of either format as `{row, field, code, message}`.
 */
import { parseSafeXml, type XmlElement } from '../envelope/xml/safe-xml.ts';
import { parseCsv, restoreFormula, writeCsv } from './csv.ts';
import type { FieldError } from './errors.ts';
import { PARTICIPANT_COLUMNS, recordToColumns, type ParticipantColumn, type ParticipantRecord, type RawRecord } from './participant-record.ts';

export const DIRECTORY_NAMESPACE = 'urn:edx-gateway:directory:1';

export interface ImportLimits {
  maxBytes: number;
  maxRows: number;
}

export const DEFAULT_IMPORT_LIMITS: ImportLimits = { maxBytes: 8 * 1024 * 1024, maxRows: 10_000 };

/** One record of an import: its row (CSV: the line-record number, header = 1; XML: the n-th participant), fields, and format problems. */
export interface RawRow {
  row: number;
  raw: RawRecord;
  errors: FieldError[];
}

export type ReadRowsResult = { ok: true; rows: RawRow[] } | { ok: false; errors: FieldError[] } | { ok: false; unreadable: string };

const COLUMN_SET: ReadonlySet<string> = new Set(PARTICIPANT_COLUMNS);

function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/** Reads a CSV import: UTF-8 (BOM optional), a header naming exactly the fixed columns in any order. */
export function readCsvRows(bytes: Uint8Array, limits: ImportLimits = DEFAULT_IMPORT_LIMITS): ReadRowsResult {
  if (bytes.length > limits.maxBytes) return { ok: false, unreadable: `the file is ${bytes.length} bytes, the limit is ${limits.maxBytes}` };
  const text = decodeUtf8(bytes);
  if (text === undefined) return { ok: false, unreadable: 'the file is not valid UTF-8' };
  const parsed = parseCsv(text, { maxRecords: limits.maxRows + 1, maxFieldChars: 10_000 });
  if (!parsed.ok) return { ok: false, errors: [{ row: parsed.record, field: '(record)', code: 'CSV_MALFORMED', message: parsed.message }] };
  const [header, ...records] = parsed.records;
  if (header === undefined) return { ok: false, errors: [{ row: 1, field: '(header)', code: 'HEADER_MISSING', message: 'the file is empty' }] };
  const headerErrors: FieldError[] = [];
  const seen = new Set<string>();
  for (const name of header) {
    if (!COLUMN_SET.has(name)) headerErrors.push({ row: 1, field: name, code: 'UNKNOWN_COLUMN', message: `unknown column "${name}"` });
    else if (seen.has(name)) headerErrors.push({ row: 1, field: name, code: 'DUPLICATE_COLUMN', message: `column "${name}" appears twice` });
    seen.add(name);
  }
  for (const name of PARTICIPANT_COLUMNS) if (!seen.has(name)) headerErrors.push({ row: 1, field: name, code: 'MISSING_COLUMN', message: `column "${name}" is missing` });
  if (headerErrors.length > 0) return { ok: false, errors: headerErrors };

  const rows: RawRow[] = [];
  records.forEach((fields, index) => {
    const row = index + 2;
    if (fields.length === 1 && fields[0] === '') return; // a blank line
    const errors: FieldError[] = [];
    if (fields.length !== header.length) errors.push({ row, field: '(record)', code: 'FIELD_COUNT', message: `${fields.length} fields, the header has ${header.length}` });
    const raw: RawRecord = {};
    header.forEach((name, i) => {
      raw[name as ParticipantColumn] = restoreFormula(fields[i] ?? '');
    });
    rows.push({ row, raw, errors });
  });
  if (rows.length > limits.maxRows) return { ok: false, unreadable: `more than ${limits.maxRows} rows` };
  return { ok: true, rows };
}

interface Resolved {
  ns: string | undefined;
  local: string;
  scope: Map<string, string>;
}

/** Namespaces in XML 1.0 §5-6: the element's prefix resolved against the declarations in scope. */
function resolveName(el: XmlElement, inherited: ReadonlyMap<string, string>): Resolved {
  const scope = new Map(inherited);
  for (const [key, value] of Object.entries(el.attributes)) {
    if (key === 'xmlns') scope.set('', value);
    else if (key.startsWith('xmlns:')) scope.set(key.slice(6), value);
  }
  const colon = el.name.indexOf(':');
  const prefix = colon < 0 ? '' : el.name.slice(0, colon);
  return { ns: scope.get(prefix), local: colon < 0 ? el.name : el.name.slice(colon + 1), scope };
}

/**
 * Reads an XML import through the hostile-input gate the envelope parser uses (size, UTF-8, no
 * DTD or entities, no processing instructions, bounded depth), then checks the vocabulary:
 * `<directory xmlns="urn:edx-gateway:directory:1">` with `<participant>` children whose child
 * elements are the CSV column names.
 */
export function readXmlRows(bytes: Uint8Array, limits: ImportLimits = DEFAULT_IMPORT_LIMITS): ReadRowsResult {
  const parsed = parseSafeXml(bytes, { maxBytes: limits.maxBytes, maxDepth: 8 });
  if (!parsed.ok) return { ok: false, unreadable: `${parsed.error.code}: ${parsed.error.message}` };
  const root = resolveName(parsed.value, new Map());
  if (root.local !== 'directory' || root.ns !== DIRECTORY_NAMESPACE) {
    return { ok: false, unreadable: `the root element must be {${DIRECTORY_NAMESPACE}}directory` };
  }
  if (parsed.value.children.length > limits.maxRows) return { ok: false, unreadable: `more than ${limits.maxRows} rows` };
  const rows = parsed.value.children.map((child, index): RawRow => {
    const row = index + 1;
    const errors: FieldError[] = [];
    const raw: RawRecord = {};
    const p = resolveName(child, root.scope);
    if (p.local !== 'participant' || p.ns !== DIRECTORY_NAMESPACE) {
      errors.push({ row, field: child.name, code: 'UNKNOWN_ELEMENT', message: `expected a participant element, found ${child.name}` });
      return { row, raw, errors };
    }
    for (const field of child.children) {
      const f = resolveName(field, p.scope);
      if (f.ns !== DIRECTORY_NAMESPACE || !COLUMN_SET.has(f.local)) {
        errors.push({ row, field: field.name, code: 'UNKNOWN_FIELD', message: `${field.name} is not a participant field` });
      } else if (raw[f.local as ParticipantColumn] !== undefined) {
        errors.push({ row, field: f.local, code: 'DUPLICATE_FIELD', message: `${f.local} appears twice` });
      } else if (field.children.length > 0) {
        errors.push({ row, field: f.local, code: 'NOT_TEXT', message: `${f.local} must contain text only` });
      } else {
        raw[f.local as ParticipantColumn] = field.text;
      }
    }
    return { row, raw, errors };
  });
  return { ok: true, rows };
}

/** The directory as CSV: the fixed header, then one row per participant, formula-safe. */
export function writeDirectoryCsv(records: readonly ParticipantRecord[]): string {
  return writeCsv([[...PARTICIPANT_COLUMNS], ...records.map((r) => PARTICIPANT_COLUMNS.map((c) => recordToColumns(r)[c]))]);
}

function escapeXml(text: string): string {
  return text.replace(/&/gu, '&amp;').replace(/</gu, '&lt;').replace(/>/gu, '&gt;').replace(/\r/gu, '&#13;');
}

/** The directory as XML in the `urn:edx-gateway:directory:1` vocabulary (empty fields omitted). */
export function writeDirectoryXml(records: readonly ParticipantRecord[]): string {
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>', `<directory xmlns="${DIRECTORY_NAMESPACE}" version="1">`];
  for (const r of records) {
    const columns = recordToColumns(r);
    lines.push('  <participant>');
    for (const c of PARTICIPANT_COLUMNS) if (columns[c] !== '') lines.push(`    <${c}>${escapeXml(columns[c])}</${c}>`);
    lines.push('  </participant>');
  }
  lines.push('</directory>', '');
  return lines.join('\n');
}
