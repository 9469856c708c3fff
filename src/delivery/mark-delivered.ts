import { tables, type MessageState } from '../db/index.ts';
import type { GatewayContext } from './context.ts';
import { prepareEvidence } from './evidence.ts';
import { transitionMessage } from './transition.ts';

/**
 * queued/retrying -> delivered with the gateway's `delivered` evidence, for both pull (ack) and
 * push (2xx). The evidence is made before the transaction; the state change and its receipt row
 * commit together. Returns the evidence id, or null when someone else moved the message first.
 */
export async function markDelivered(
  ctx: GatewayContext,
  input: { messageId: string; envelopeDigest: string; from: MessageState; actor: string; detail: Record<string, unknown> },
): Promise<string | null> {
  const at = ctx.now();
  const evidence = await prepareEvidence(ctx, { messageId: input.messageId, envelopeDigest: input.envelopeDigest, kind: 'delivered', at });
  const result = ctx.db.transaction((tx) => {
    const ok = transitionMessage(tx, {
      messageId: input.messageId,
      from: input.from,
      to: 'delivered',
      at,
      actor: input.actor,
      type: 'message.delivered',
      detail: { ...input.detail, evidence: evidence.id },
      set: { deliveredAt: at.toISOString(), nextAttemptAt: null },
    });
    if (ok) tx.insert(tables.receipts).values(evidence).run();
    return ok ? evidence.id : null;
  });
  ctx.changes.poke();
  return result;
}
