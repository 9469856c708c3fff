import { tables, type Db } from '../db/index.ts';
import type { FieldError } from './errors.ts';
import type { ParticipantRecord } from './participant-record.ts';

/** Every participant's parent, as stored: the graph that parent references are checked against. */
export function loadParentMap(db: Db): Map<string, string | null> {
  return new Map(db.select({ id: tables.participants.id, parentId: tables.participants.parentId }).from(tables.participants).all().map((r) => [r.id, r.parentId]));
}

/**
 * Parent references of `records` after they would be written over `existing`: each parent must
 * exist (stored or among the records) and no parent chain may loop.
 */
export function referenceErrors(records: readonly { row?: number; record: ParticipantRecord }[], existing: ReadonlyMap<string, string | null>): FieldError[] {
  const merged = new Map(existing);
  for (const { record } of records) merged.set(record.id, record.parentId);
  const errors: FieldError[] = [];
  for (const { row, record } of records) {
    const at = row === undefined ? {} : { row };
    if (record.parentId === null) continue;
    if (!merged.has(record.parentId)) {
      errors.push({ ...at, field: 'parentId', code: 'PARENT_NOT_FOUND', message: `parent ${record.parentId} is not in the directory` });
      continue;
    }
    let current: string | null | undefined = record.parentId;
    for (let steps = 0; current !== null && current !== undefined; steps += 1) {
      if (current === record.id || steps > merged.size) {
        errors.push({ ...at, field: 'parentId', code: 'PARENT_CYCLE', message: `parent ${record.parentId} would make a cycle` });
        break;
      }
      current = merged.get(current);
    }
  }
  return errors;
}
