import { eq } from 'drizzle-orm';
import { parentsFirst } from '../directory/index.ts';
import { appendEvent, tables } from '../db/index.ts';
import { loadParentMap, referenceErrors } from './directory-references.ts';
import { DEFAULT_IMPORT_LIMITS, readCsvRows, readXmlRows, type ImportLimits } from './directory-formats.ts';
import { fail, ok, type AdminContext, type AdminResult, type FieldError } from './errors.ts';
import { checkParticipantRecord, PARTICIPANT_COLUMNS, recordFromRow, recordToColumns, recordToRowValues, type ParticipantRecord } from './participant-record.ts';

export interface ImportParticipantsInput {
  format: 'csv' | 'xml';
  body: Uint8Array;
  actor: string;
  limits?: ImportLimits;
}

export interface ImportSummary {
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
}

/** Enough of a report to fix a file in one pass; the message gives the full count. */
const MAX_REPORTED_ERRORS = 1000;

/**
 * Imports participants from CSV or XML (issue 6): every row is read and checked first (fields,
 * check digits, ids unique in the file, parents present in the file or the directory, no parent
 * cycles); if any row fails, nothing is written and the whole report `[{row, field, code,
 * message}]` is returned. Otherwise each row creates or replaces the participant of that id, and
 * all of it, with a journal row per created or changed participant and one for the import,
 * commits as one transaction.
 */
export function importParticipants(ctx: AdminContext, input: ImportParticipantsInput): AdminResult<ImportSummary> {
  const limits = input.limits ?? DEFAULT_IMPORT_LIMITS;
  const read = input.format === 'csv' ? readCsvRows(input.body, limits) : readXmlRows(input.body, limits);
  if (!read.ok) {
    return 'unreadable' in read ? fail('IMPORT_UNREADABLE', read.unreadable) : fail('IMPORT_INVALID', 'the file has errors; nothing was imported', read.errors);
  }
  const errors: FieldError[] = [];
  const records: { row: number; record: ParticipantRecord }[] = [];
  const firstRowOf = new Map<string, number>();
  for (const { row, raw, errors: formatErrors } of read.rows) {
    errors.push(...formatErrors);
    const checked = checkParticipantRecord(raw);
    if (!checked.ok) {
      errors.push(...checked.errors.map((e) => ({ ...e, row })));
      continue;
    }
    const first = firstRowOf.get(checked.value.id);
    if (first !== undefined) {
      errors.push({ row, field: 'id', code: 'DUPLICATE_IN_FILE', message: `id ${checked.value.id} is also on row ${first}` });
      continue;
    }
    firstRowOf.set(checked.value.id, row);
    if (formatErrors.length === 0) records.push({ row, record: checked.value });
  }
  if (read.rows.length === 0) errors.push({ row: 1, field: '(file)', code: 'NO_ROWS', message: 'the file has no participants' });

  const at = ctx.now().toISOString();
  return ctx.db.transaction((tx): AdminResult<ImportSummary> => {
    errors.push(...referenceErrors(records, loadParentMap(tx)));
    if (errors.length > 0) {
      errors.sort((a, b) => (a.row ?? 0) - (b.row ?? 0));
      return fail('IMPORT_INVALID', `${errors.length} error(s); nothing was imported`, errors.slice(0, MAX_REPORTED_ERRORS));
    }
    const summary: ImportSummary = { rows: records.length, created: 0, updated: 0, unchanged: 0 };
    const p = tables.participants;
    for (const record of parentsFirst(records.map((r) => r.record))) {
      const existing = tx.select().from(p).where(eq(p.id, record.id)).get();
      if (existing === undefined) {
        tx.insert(p).values({ ...recordToRowValues(record), createdAt: at, updatedAt: at }).run();
        appendEvent(tx, { at, type: 'participant.created', actor: input.actor, messageId: null, fromState: null, toState: record.state, detail: { participantId: record.id, source: `import:${input.format}`, record } });
        summary.created += 1;
        continue;
      }
      const before = recordToColumns(recordFromRow(existing));
      const after = recordToColumns(record);
      const changed: Record<string, { from: string; to: string }> = {};
      for (const column of PARTICIPANT_COLUMNS) if (before[column] !== after[column]) changed[column] = { from: before[column], to: after[column] };
      if (Object.keys(changed).length === 0) {
        summary.unchanged += 1;
        continue;
      }
      tx.update(p).set({ ...recordToRowValues(record), updatedAt: at }).where(eq(p.id, record.id)).run();
      appendEvent(tx, {
        at,
        type: 'participant.updated',
        actor: input.actor,
        messageId: null,
        fromState: existing.state,
        toState: record.state,
        detail: { participantId: record.id, source: `import:${input.format}`, changed },
      });
      summary.updated += 1;
    }
    appendEvent(tx, { at, type: 'directory.imported', actor: input.actor, messageId: null, fromState: null, toState: null, detail: { format: input.format, ...summary } });
    return ok(summary);
  });
}
