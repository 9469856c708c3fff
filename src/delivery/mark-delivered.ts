import { tables, type MessageState } from '../db/index.ts';
import type { ReceiptKind } from '../envelope/index.ts';
import type { GatewayContext } from './context.ts';
import { prepareEvidence } from './evidence.ts';
import { transitionMessage, type TransitionInput } from './transition.ts';

/**
 * A state change the gateway proves with its own signed receipt (delivered, not-delivered): the
 * evidence is made before the transaction; the state change and its receipt row commit together.
 * Returns the evidence id, or null when someone else moved the message first.
 */
export async function transitionWithEvidence(
  ctx: GatewayContext,
  input: {
    messageId: string;
    envelopeDigest: string;
    from: MessageState;
    to: MessageState;
    evidence: Extract<ReceiptKind, 'delivered' | 'not-delivered'>;
    reason?: { code: string; text: string };
    actor: string;
    type: string;
    detail: Record<string, unknown>;
    /** Columns set with the state, from the transition's time. */
    set?: (at: Date) => NonNullable<TransitionInput['set']>;
  },
): Promise<string | null> {
  const at = ctx.now();
  const evidence = await prepareEvidence(ctx, {
    messageId: input.messageId,
    envelopeDigest: input.envelopeDigest,
    kind: input.evidence,
    at,
    ...(input.reason === undefined ? {} : { reason: input.reason }),
  });
  const result = ctx.db.transaction((tx) => {
    const ok = transitionMessage(tx, {
      messageId: input.messageId,
      from: input.from,
      to: input.to,
      at,
      actor: input.actor,
      type: input.type,
      detail: { ...input.detail, evidence: evidence.id },
      ...(input.set === undefined ? {} : { set: input.set(at) }),
    });
    if (ok) tx.insert(tables.receipts).values(evidence).run();
    return ok ? evidence.id : null;
  });
  ctx.changes.poke();
  return result;
}

/** queued/retrying -> delivered with `delivered` evidence, for both pull (ack) and push (2xx). */
export async function markDelivered(
  ctx: GatewayContext,
  input: { messageId: string; envelopeDigest: string; from: MessageState; actor: string; detail: Record<string, unknown> },
): Promise<string | null> {
  return transitionWithEvidence(ctx, {
    ...input,
    to: 'delivered',
    evidence: 'delivered',
    type: 'message.delivered',
    set: (at) => ({ deliveredAt: at.toISOString(), nextAttemptAt: null }),
  });
}
