import { getParticipant } from '../directory/index.ts';
import { fail, ok, type AdminContext, type AdminResult } from './errors.ts';
import { participantView, type ParticipantView } from './participant-record.ts';

/** One participant by id. */
export function getParticipantView(ctx: AdminContext, input: { id: string }): AdminResult<ParticipantView> {
  const row = getParticipant(ctx.db, input.id);
  return row === undefined ? fail('PARTICIPANT_NOT_FOUND', `no participant ${input.id}`) : ok(participantView(row));
}
