import { and, asc, eq, gt, type SQL } from 'drizzle-orm';
import { tables, type MessageState } from '../db/index.ts';
import type { GatewayContext } from './context.ts';
import type { MessageRow } from './inbox.ts';

/** The message if `participantId` sent or received it; otherwise undefined (no existence oracle). */
export function visibleMessage(ctx: GatewayContext, participantId: string, messageId: string): MessageRow | undefined {
  const row = ctx.db.select().from(tables.messages).where(eq(tables.messages.id, messageId)).get();
  return row !== undefined && (row.senderId === participantId || row.recipientId === participantId) ? row : undefined;
}

export interface MessageView {
  id: string;
  submissionId: string;
  from: string;
  to: string;
  state: MessageState;
  document: { kind: string; regNumber: string; regDate: string; subject: string; inReplyTo: string | null; responseDue: string | null };
  envelopeDigest: string;
  createdAt: string;
  deliveredAt: string | null;
  expiresAt: string;
  attempts: number;
  answeredBy: string | null;
  files: { id: string; role: string; name: string; mediaType: string; size: number; digest: { algorithm: string; value: string } }[];
  timeline: { seq: number; at: string; type: string; actor: string; from: string | null; to: string | null; detail: unknown }[];
  receipts: {
    id: string;
    kind: string;
    issuedBy: string;
    issuerId: string;
    issuedAt: string;
    registration: { number: string; date: string } | null;
    reason: { code: string; text: string } | null;
    href: string;
  }[];
  signatures: { path: string; role: string; fileId: string | null; receiptId: string | null; indication: string; subIndication: string | null; signer: string | null; report: unknown }[];
}

/** GET /messages/:id — state, timeline, receipts and validation reports of one message. */
export function messageView(ctx: GatewayContext, row: MessageRow): MessageView {
  const files = ctx.db.select().from(tables.messageFiles).where(eq(tables.messageFiles.messageId, row.id)).orderBy(asc(tables.messageFiles.fileId)).all();
  const events = ctx.db.select().from(tables.events).where(eq(tables.events.messageId, row.id)).orderBy(asc(tables.events.seq)).all();
  const receipts = ctx.db.select().from(tables.receipts).where(eq(tables.receipts.messageId, row.id)).orderBy(asc(tables.receipts.receivedAt)).all();
  const reports = ctx.db.select().from(tables.signatureReports).where(eq(tables.signatureReports.messageId, row.id)).orderBy(asc(tables.signatureReports.id)).all();
  return {
    id: row.id,
    submissionId: row.submissionId,
    from: row.senderId,
    to: row.recipientId,
    state: row.state,
    document: { kind: row.kind, regNumber: row.regNumber, regDate: row.regDate, subject: row.subject, inReplyTo: row.inReplyTo, responseDue: row.responseDue },
    envelopeDigest: row.envelopeDigest,
    createdAt: row.createdAt,
    deliveredAt: row.deliveredAt,
    expiresAt: row.expiresAt,
    attempts: row.attempts,
    answeredBy: row.answeredBy,
    files: files.map((f) => ({ id: f.fileId, role: f.role, name: f.name, mediaType: f.mediaType, size: f.size, digest: { algorithm: f.digestAlgorithm, value: f.digest } })),
    timeline: events.map((e) => ({ seq: e.seq, at: e.at, type: e.type, actor: e.actor, from: e.fromState, to: e.toState, detail: JSON.parse(e.detailJson) as unknown })),
    receipts: receipts.map((r) => ({
      id: r.id,
      kind: r.kind,
      issuedBy: r.issuedBy,
      issuerId: r.issuerId,
      issuedAt: r.issuedAt,
      registration: r.registrationNumber === null || r.registrationDate === null ? null : { number: r.registrationNumber, date: r.registrationDate },
      reason: r.reasonCode === null ? null : { code: r.reasonCode, text: r.reasonText ?? '' },
      href: `/api/v1/messages/${row.id}/receipts/${r.id}`,
    })),
    signatures: reports.map((s) => ({
      path: s.path,
      role: s.role,
      fileId: s.fileId,
      receiptId: s.receiptId,
      indication: s.indication,
      subIndication: s.subIndication,
      signer: s.signer,
      report: JSON.parse(s.reportJson) as unknown,
    })),
  };
}

export function receiptBlob(ctx: GatewayContext, messageId: string, receiptId: string): string | undefined {
  return ctx.db
    .select({ blob: tables.receipts.containerBlob })
    .from(tables.receipts)
    .where(and(eq(tables.receipts.messageId, messageId), eq(tables.receipts.id, receiptId)))
    .get()?.blob;
}

/** GET /messages — the caller's sent messages in submission order, filtered by state / recipient, paged by the cursor `after`. */
export function listSent(ctx: GatewayContext, input: { participantId: string; state?: MessageState; to?: string; after?: number; limit: number }): { items: { id: string; seq: number; to: string; state: string; regNumber: string; subject: string; createdAt: string }[]; next: string | null } {
  const conditions: SQL[] = [eq(tables.messages.senderId, input.participantId)];
  if (input.state !== undefined) conditions.push(eq(tables.messages.state, input.state));
  if (input.to !== undefined) conditions.push(eq(tables.messages.recipientId, input.to));
  if (input.after !== undefined) conditions.push(gt(tables.messages.seq, input.after));
  const rows = ctx.db
    .select()
    .from(tables.messages)
    .where(and(...conditions))
    .orderBy(asc(tables.messages.seq))
    .limit(input.limit)
    .all();
  const items = rows.map((m) => ({ id: m.id, seq: m.seq, to: m.recipientId, state: m.state, regNumber: m.regNumber, subject: m.subject, createdAt: m.createdAt }));
  const last = items.at(-1);
  return { items, next: items.length === input.limit && last !== undefined ? String(last.seq) : null };
}

