import { appendEvent, tables } from '../db/index.ts';
import { getParticipant } from '../directory/index.ts';
import { loadParentMap, referenceErrors } from './directory-references.ts';
import { fail, ok, type AdminContext, type AdminResult } from './errors.ts';
import { checkParticipantRecord, participantView, recordToRowValues, type ParticipantView, type RawRecord } from './participant-record.ts';

/**
 * Adds a participant to the directory (SPEC §2): every field checked (check digits of INN, OGRN,
 * SNILS; HTTPS push endpoint), the parent must exist, the id must be new. The row and its
 * `participant.created` journal entry commit together.
 */
export function createParticipant(ctx: AdminContext, input: { record: RawRecord; actor: string }): AdminResult<ParticipantView> {
  const checked = checkParticipantRecord(input.record);
  if (!checked.ok) return fail('PARTICIPANT_INVALID', 'the participant has invalid fields', checked.errors);
  const record = checked.value;
  const at = ctx.now().toISOString();
  return ctx.db.transaction((tx): AdminResult<ParticipantView> => {
    if (getParticipant(tx, record.id) !== undefined) return fail('PARTICIPANT_EXISTS', `participant ${record.id} already exists`);
    const refs = referenceErrors([{ record }], loadParentMap(tx));
    if (refs.length > 0) return fail('PARTICIPANT_INVALID', 'the participant has invalid fields', refs);
    tx.insert(tables.participants).values({ ...recordToRowValues(record), createdAt: at, updatedAt: at }).run();
    appendEvent(tx, { at, type: 'participant.created', actor: input.actor, messageId: null, fromState: null, toState: record.state, detail: { participantId: record.id, record } });
    const row = getParticipant(tx, record.id);
    if (row === undefined) throw new Error(`participant ${record.id} vanished inside its own transaction`);
    return ok(participantView(row));
  });
}
