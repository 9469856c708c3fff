import { and, asc, eq, gt, sql } from 'drizzle-orm';
import type { Db } from '../db/index.ts';
import { tables } from '../db/index.ts';
import { fail, type DeliveryResult, type GatewayContext } from './context.ts';
import { markDeliveredResult } from './mark-delivered.ts';

export interface InboxItem {
  id: string;
  cursor: string;
  from: string;
  state: string;
  kind: string;
  regNumber: string;
  regDate: string;
  subject: string;
  inReplyTo: string | null;
  responseDue: string | null;
  envelopeDigest: string;
  containerSize: number;
  receivedAt: string;
}

/**
 * The recipient's inbox in arrival order, `limit` items after `cursor` (an opaque, stable
 * position: the message's sequence number). Uses the (recipient_id, seq) index: O(limit).
 */
export function listInbox(ctx: GatewayContext, input: { participantId: string; cursor?: string; limit: number }): { items: InboxItem[]; nextCursor: string | null } {
  const after = input.cursor === undefined ? 0 : Number.parseInt(input.cursor, 10);
  const rows = inboxPage(ctx.db).all({ recipient: input.participantId, after: Number.isFinite(after) ? after : 0, limit: input.limit });
  const items = rows.map((m) => ({
    id: m.id,
    cursor: String(m.seq),
    from: m.senderId,
    state: m.state,
    kind: m.kind,
    regNumber: m.regNumber,
    regDate: m.regDate,
    subject: m.subject,
    inReplyTo: m.inReplyTo,
    responseDue: m.responseDue,
    envelopeDigest: m.envelopeDigest,
    containerSize: m.containerSize,
    receivedAt: m.createdAt,
  }));
  const last = items.at(-1);
  return { items, nextCursor: items.length === input.limit && last !== undefined ? last.cursor : null };
}

// The hottest query of the gateway (every EDMS polls it): prepared once per database.
const pages = new WeakMap<Db, ReturnType<typeof prepareInboxPage>>();
function prepareInboxPage(db: Db) {
  return db
    .select()
    .from(tables.messages)
    .where(and(eq(tables.messages.recipientId, sql.placeholder('recipient')), gt(tables.messages.seq, sql.placeholder('after'))))
    .orderBy(asc(tables.messages.seq))
    .limit(sql.placeholder('limit'))
    .prepare();
}
function inboxPage(db: Db): ReturnType<typeof prepareInboxPage> {
  let p = pages.get(db);
  if (p === undefined) {
    p = prepareInboxPage(db);
    pages.set(db, p);
  }
  return p;
}

export type MessageRow = typeof tables.messages.$inferSelect;

/** The message if `participantId` is its recipient; otherwise not found (no existence oracle). */
export function inboxMessage(ctx: GatewayContext, participantId: string, messageId: string): MessageRow | undefined {
  const row = ctx.db.select().from(tables.messages).where(eq(tables.messages.id, messageId)).get();
  return row?.recipientId === participantId ? row : undefined;
}

/**
 * POST /inbox/:id/ack — the recipient took the letter: queued/retrying -> delivered, with the
 * gateway's `delivered` evidence. Acknowledging again is a no-op that reports the state.
 */
export async function acknowledge(ctx: GatewayContext, input: { participantId: string; messageId: string; actor: string }): Promise<DeliveryResult<{ id: string; state: string; evidence: string | null }>> {
  const row = inboxMessage(ctx, input.participantId, input.messageId);
  if (row === undefined) return fail('MESSAGE_NOT_FOUND', `no message ${input.messageId} in your inbox`);
  if (row.state !== 'queued' && row.state !== 'retrying') return { ok: true, value: { id: row.id, state: row.state, evidence: null } };
  const delivered = await markDeliveredResult(ctx, {
    messageId: row.id,
    envelopeDigest: row.envelopeDigest,
    from: row.state,
    actor: input.actor,
    detail: { how: 'pulled and acknowledged' },
  });
  if (!delivered.ok) return delivered;
  const evidence = delivered.value;
  const now = inboxMessage(ctx, input.participantId, input.messageId);
  return { ok: true, value: { id: row.id, state: now?.state ?? 'delivered', evidence } };
}
