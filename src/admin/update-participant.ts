import { eq } from 'drizzle-orm';
import { appendEvent, tables } from '../db/index.ts';
import { getParticipant } from '../directory/index.ts';
import { loadParentMap, referenceErrors } from './directory-references.ts';
import { fail, ok, type AdminContext, type AdminResult, type FieldError } from './errors.ts';
import { checkParticipantRecord, PARTICIPANT_COLUMNS, participantView, recordFromRow, recordToColumns, recordToRowValues, type ParticipantView, type RawRecord } from './participant-record.ts';

/**
 * Edits a participant: the changed fields are laid over the stored record and the whole record is
 * checked again. The id is immutable, and the state changes only through suspend / reactivate (so
 * that act has its own journal type). The update and its `participant.updated` entry (old and new
 * values of each changed field) commit together.
 */
export function updateParticipant(ctx: AdminContext, input: { id: string; changes: RawRecord; actor: string }): AdminResult<ParticipantView> {
  const immutable: FieldError[] = [];
  if (input.changes.id !== undefined && input.changes.id !== input.id) immutable.push({ field: 'id', code: 'IMMUTABLE', message: 'the id of a participant cannot change' });
  if (input.changes.state !== undefined) immutable.push({ field: 'state', code: 'IMMUTABLE', message: 'use suspend / reactivate to change the state' });
  if (immutable.length > 0) return fail('PARTICIPANT_INVALID', 'the change has invalid fields', immutable);
  const at = ctx.now().toISOString();
  return ctx.db.transaction((tx): AdminResult<ParticipantView> => {
    const row = getParticipant(tx, input.id);
    if (row === undefined) return fail('PARTICIPANT_NOT_FOUND', `no participant ${input.id}`);
    const before = recordToColumns(recordFromRow(row));
    const checked = checkParticipantRecord({ ...before, ...input.changes, id: input.id });
    if (!checked.ok) return fail('PARTICIPANT_INVALID', 'the change has invalid fields', checked.errors);
    const refs = referenceErrors([{ record: checked.value }], loadParentMap(tx));
    if (refs.length > 0) return fail('PARTICIPANT_INVALID', 'the change has invalid fields', refs);
    const after = recordToColumns(checked.value);
    const changed: Record<string, { from: string; to: string }> = {};
    for (const column of PARTICIPANT_COLUMNS) if (before[column] !== after[column]) changed[column] = { from: before[column], to: after[column] };
    if (Object.keys(changed).length === 0) return ok(participantView(row));
    tx.update(tables.participants).set({ ...recordToRowValues(checked.value), updatedAt: at }).where(eq(tables.participants.id, input.id)).run();
    appendEvent(tx, { at, type: 'participant.updated', actor: input.actor, messageId: null, fromState: null, toState: null, detail: { participantId: input.id, changed } });
    const updated = getParticipant(tx, input.id);
    if (updated === undefined) throw new Error(`participant ${input.id} vanished inside its own transaction`);
    return ok(participantView(updated));
  });
}
