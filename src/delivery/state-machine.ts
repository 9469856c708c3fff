import type { MessageState } from '../db/index.ts';

/**
 * The delivery state machine of SPEC §5. A reply may arrive before the original was registered
 * (many EDMS answer without a separate registration receipt), so `answered` is reachable from
 * every state in which the recipient has the letter.
 */
export const TRANSITIONS = {
  accepted: ['queued', 'failed'],
  queued: ['delivered', 'retrying', 'failed', 'answered'],
  retrying: ['delivered', 'retrying', 'failed', 'answered'],
  delivered: ['registered', 'refused', 'answered'],
  registered: ['answered'],
  refused: [],
  answered: [],
  failed: [],
} as const satisfies Record<MessageState, readonly MessageState[]>;

export function canTransition(from: MessageState, to: MessageState): boolean {
  return (TRANSITIONS[from] as readonly MessageState[]).includes(to);
}

/** States in which the letter waits for the recipient to take it. */
export const UNDELIVERED_STATES = ['queued', 'retrying'] as const satisfies readonly MessageState[];
export const TERMINAL_STATES = ['refused', 'answered', 'failed'] as const satisfies readonly MessageState[];
