import { and, eq } from 'drizzle-orm';
import { appendEvent, tables, type Db, type MessageState } from '../db/index.ts';
import { canTransition } from './state-machine.ts';

export interface TransitionInput {
  messageId: string;
  from: MessageState;
  to: MessageState;
  at: Date;
  actor: string;
  type: string;
  detail?: Record<string, unknown>;
  /** Extra columns to set with the state (delivery time, next attempt...). */
  set?: Partial<Pick<typeof tables.messages.$inferInsert, 'deliveredAt' | 'nextAttemptAt' | 'attempts' | 'answeredBy'>>;
}

/**
 * `UPDATE messages SET state = :to WHERE id = :id AND state = :from` plus its journal row, to be
 * called inside a transaction. Returns false when the message was not in `from` (someone else
 * moved it first): the caller decides whether that is a conflict. Never awaits.
 */
export function transitionMessage(db: Db, input: TransitionInput): boolean {
  if (!canTransition(input.from, input.to)) throw new Error(`illegal transition ${input.from} -> ${input.to}`);
  const at = input.at.toISOString();
  const result = db
    .update(tables.messages)
    .set({ state: input.to, updatedAt: at, ...input.set })
    .where(and(eq(tables.messages.id, input.messageId), eq(tables.messages.state, input.from)))
    .run();
  if (result.changes !== 1) return false;
  appendEvent(db, {
    at,
    type: input.type,
    actor: input.actor,
    messageId: input.messageId,
    fromState: input.from,
    toState: input.to,
    detail: input.detail ?? {},
  });
  return true;
}
