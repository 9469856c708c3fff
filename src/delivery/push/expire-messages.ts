import { and, asc, inArray, lte } from 'drizzle-orm';
import { tables } from '../../db/index.ts';
import type { GatewayContext } from '../context.ts';
import { transitionWithEvidence } from '../mark-delivered.ts';
import { UNDELIVERED_STATES } from '../state-machine.ts';

export interface ExpireMessagesResult {
  expired: number;
}

/**
 * SPEC §5 `failed`: a letter still undelivered (queued or retrying — push letters whose endpoint
 * never said 2xx, pull letters never acknowledged) when its time to live runs out fails, with the
 * gateway's signed `not-delivered` evidence (reason `EXPIRED`) so the sender can prove it tried.
 * The evidence is signed and stored before the transaction; the state change and the receipt row
 * commit together, and a message someone else moved first (acknowledged at the last moment) is
 * left alone.
 */
export async function expireMessages(ctx: GatewayContext, options: { limit: number }): Promise<ExpireMessagesResult> {
  const now = ctx.now().toISOString();
  const m = tables.messages;
  const rows = ctx.db
    .select()
    .from(m)
    .where(and(inArray(m.state, [...UNDELIVERED_STATES]), lte(m.expiresAt, now)))
    .orderBy(asc(m.expiresAt))
    .limit(Math.max(0, options.limit))
    .all();
  let expired = 0;
  for (const row of rows) {
    const moved = await transitionWithEvidence(ctx, {
      messageId: row.id,
      envelopeDigest: row.envelopeDigest,
      from: row.state,
      to: 'failed',
      evidence: 'not-delivered',
      reason: { code: 'EXPIRED', text: `not delivered before ${row.expiresAt}` },
      actor: 'gateway',
      type: 'message.expired',
      detail: { expiresAt: row.expiresAt, attempts: row.attempts },
      set: () => ({ nextAttemptAt: null }),
    });
    if (moved !== null) expired += 1;
  }
  return { expired };
}
