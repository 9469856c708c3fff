import { appendEvent, tables, type MessageState } from '../db/index.ts';
import type { ReceiptKind } from '../envelope/index.ts';
import type { DeliveryResult, GatewayContext } from './context.ts';
import { prepareEvidence, TIMESTAMP_PENDING_EVENT } from './evidence.ts';
import { transitionMessage, type TransitionInput } from './transition.ts';

type EvidenceTransition = {
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
};

/**
 * A state change the gateway proves with its own signed receipt (delivered, not-delivered): the
 * evidence is made before the transaction; the state change and its receipt row commit together.
 * Returns the evidence id, or null when someone else moved the message first. For the scheduler
 * (push 2xx, expiry): the fact has happened, so a TSA that does not answer does not hold it back —
 * the receipt is recorded with `evidence.timestamp-pending` and {@link stampPendingReceipts} adds
 * the token later (otherwise a push would be repeated until the TSA came back).
 */
export async function transitionWithEvidence(ctx: GatewayContext, input: EvidenceTransition): Promise<string | null> {
  const result = await transitionWithEvidenceResult(ctx, input, { deferTimestamp: true });
  if (!result.ok) throw new Error(`${input.messageId} -> ${input.to}: ${result.error.code}: ${result.error.message}`);
  return result.value;
}

/**
 * {@link transitionWithEvidence} for a caller that can be told to try again (the HTTP
 * acknowledgement answers 503 TSA_UNAVAILABLE and changes nothing), unless `deferTimestamp`.
 */
export async function transitionWithEvidenceResult(ctx: GatewayContext, input: EvidenceTransition, options: { deferTimestamp?: boolean } = {}): Promise<DeliveryResult<string | null>> {
  const at = ctx.now();
  const prepared = await prepareEvidence(ctx, {
    messageId: input.messageId,
    envelopeDigest: input.envelopeDigest,
    kind: input.evidence,
    at,
    ...(input.reason === undefined ? {} : { reason: input.reason }),
    ...(options.deferTimestamp === true ? { deferTimestamp: true } : {}),
  });
  if (!prepared.ok) return prepared;
  const { receipt: evidence, evidence: extra, timestampPending } = prepared.value;
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
    if (ok) {
      tx.insert(tables.receipts).values(evidence).run();
      for (const row of extra) tx.insert(tables.messageEvidence).values(row).run();
      if (timestampPending) {
        appendEvent(tx, {
          at: at.toISOString(),
          type: TIMESTAMP_PENDING_EVENT,
          actor: 'gateway',
          messageId: input.messageId,
          fromState: null,
          toState: null,
          detail: { receiptId: evidence.id, kind: input.evidence },
        });
      }
    }
    return ok ? evidence.id : null;
  });
  ctx.changes.poke();
  return { ok: true, value: result };
}

type DeliveredInput = { messageId: string; envelopeDigest: string; from: MessageState; actor: string; detail: Record<string, unknown> };

const deliveredTransition = (input: DeliveredInput): EvidenceTransition => ({
  ...input,
  to: 'delivered',
  evidence: 'delivered',
  type: 'message.delivered',
  set: (at) => ({ deliveredAt: at.toISOString(), nextAttemptAt: null }),
});

/** queued/retrying -> delivered with `delivered` evidence, for both pull (ack) and push (2xx). */
export async function markDelivered(ctx: GatewayContext, input: DeliveredInput): Promise<string | null> {
  return transitionWithEvidence(ctx, deliveredTransition(input));
}

/** {@link markDelivered} with TSA_UNAVAILABLE as a value (the HTTP acknowledgement answers 503). */
export async function markDeliveredResult(ctx: GatewayContext, input: DeliveredInput): Promise<DeliveryResult<string | null>> {
  return transitionWithEvidenceResult(ctx, deliveredTransition(input));
}
