import { and, eq } from 'drizzle-orm';
import { appendEvent, tables } from '../db/index.ts';
import { getParticipant } from '../directory/index.ts';
import { fail, ok, type AdminContext, type AdminResult } from './errors.ts';
import { participantView, type ParticipantView } from './participant-record.ts';

/**
 * Suspends or reactivates a participant (SPEC §8: a suspended participant can neither send nor be
 * written to, and its tokens stop authenticating). `UPDATE ... WHERE state = :from` plus the
 * journal row in one transaction. An administrator cannot suspend the participant its own token
 * belongs to: that would lock every administrator of that participant out.
 */
export function setParticipantState(
  ctx: AdminContext,
  input: { id: string; state: 'active' | 'suspended'; actor: string; actorParticipantId?: string; reason?: string },
): AdminResult<ParticipantView> {
  const from = input.state === 'suspended' ? 'active' : 'suspended';
  if (input.state === 'suspended' && input.actorParticipantId === input.id) {
    return fail('STATE_CONFLICT', 'you cannot suspend the participant your own token belongs to');
  }
  const at = ctx.now().toISOString();
  return ctx.db.transaction((tx): AdminResult<ParticipantView> => {
    const p = tables.participants;
    const changed = tx.update(p).set({ state: input.state, updatedAt: at }).where(and(eq(p.id, input.id), eq(p.state, from))).run().changes;
    const row = getParticipant(tx, input.id);
    if (row === undefined) return fail('PARTICIPANT_NOT_FOUND', `no participant ${input.id}`);
    if (changed !== 1) return fail('STATE_CONFLICT', `participant ${input.id} is already ${row.state}`);
    appendEvent(tx, {
      at,
      type: input.state === 'suspended' ? 'participant.suspended' : 'participant.reactivated',
      actor: input.actor,
      messageId: null,
      fromState: from,
      toState: input.state,
      detail: { participantId: input.id, ...(input.reason === undefined ? {} : { reason: input.reason }) },
    });
    return ok(participantView(row));
  });
}
