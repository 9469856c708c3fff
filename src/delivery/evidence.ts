import { join } from 'node:path';
import { rm } from 'node:fs/promises';
import { digestBytes } from '../crypto/index.ts';
import type { Receipt, ReceiptKind } from '../envelope/index.ts';
import { openContainer } from '../envelope/index.ts';
import { MAX_SIGNATURE_BYTES, RECEIPT_SIGNATURE_ENTRY, writeReceiptContainer } from '../letters/index.ts';
import { and, asc, eq, sql } from 'drizzle-orm';
import { appendEvent, tables } from '../db/index.ts';
import { fail, type DeliveryResult, type GatewayContext } from './context.ts';
import { createSignatureStamper, stampSignature, storeSignatureEvidence, type DetachedTimestamp, type EvidenceRow } from './signature-evidence.ts';

export type ReceiptRow = typeof tables.receipts.$inferInsert;

/** A gateway receipt ready to insert, with the rows of its signature time-stamp token (when a TSA is configured). */
export interface PreparedEvidence {
  receipt: ReceiptRow;
  evidence: EvidenceRow[];
  /** The TSA did not answer and the caller allowed the token to follow (see `deferTimestamp`). */
  timestampPending: boolean;
}

async function readReceiptSignature(path: string): Promise<Buffer> {
  const opened = await openContainer({ path });
  if (!opened.ok) throw new Error(`the receipt just written is unreadable: ${opened.error.message}`);
  try {
    const der = await opened.value.readEntry(RECEIPT_SIGNATURE_ENTRY, MAX_SIGNATURE_BYTES);
    if (!der.ok) throw new Error(`the receipt just written has no readable signature: ${der.error.message}`);
    return der.value;
  } finally {
    await opened.value.close();
  }
}

/**
 * Makes the gateway's signed evidence receipt (SPEC §2: accepted, rejected, delivered,
 * not-delivered) about one message, stores the container as a blob, and returns the row to
 * insert in the same transaction as the state change it proves. Crypto and I/O happen here,
 * before the transaction. With a TSA configured the receipt's signature value is time-stamped
 * (RFC 3161, kept beside the receipt, which stays as signed); a TSA that does not answer gives
 * TSA_UNAVAILABLE and nothing is stored.
 */
export async function prepareEvidence(
  ctx: GatewayContext,
  input: {
    messageId: string;
    envelopeDigest: string;
    kind: Extract<ReceiptKind, 'accepted' | 'rejected' | 'delivered' | 'not-delivered'>;
    at: Date;
    reason?: { code: string; text: string };
    /**
     * For receipts that prove something that has already happened (a push endpoint said 2xx, a
     * letter expired): a TSA that does not answer must not hold the fact back — the receipt is
     * kept with its seal signature and `timestampPending`, and {@link stampPendingReceipts} adds
     * the token later. Without it, TSA_UNAVAILABLE and nothing stored.
     */
    deferTimestamp?: boolean;
  },
): Promise<DeliveryResult<PreparedEvidence>> {
  const receipt: Receipt = {
    version: '1',
    receiptId: ctx.newId(),
    kind: input.kind,
    messageId: input.messageId,
    envelopeDigest: { algorithm: 'sha-256', value: input.envelopeDigest },
    issuer: ctx.gatewayParty,
    issuedAt: input.at.toISOString(),
    ...(input.reason === undefined ? {} : { reason: input.reason }),
  };
  const path = join(ctx.tmpDir, `${receipt.receiptId}.receipt.zip`);
  try {
    const { receiptXml } = await writeReceiptContainer({ receipt, signer: ctx.seal, outputPath: path, now: input.at, durable: false });
    const stamper = createSignatureStamper(ctx, input.at);
    let timestamps: DetachedTimestamp[] = [];
    let timestampPending = false;
    if (stamper !== undefined) {
      const stamped = await stampSignature(stamper, RECEIPT_SIGNATURE_ENTRY, await readReceiptSignature(path));
      if (stamped.ok) timestamps = stamped.value;
      else if (input.deferTimestamp === true) timestampPending = true;
      else return fail('TSA_UNAVAILABLE', `the ${input.kind} receipt cannot be time-stamped: ${stamped.error.message}`, stamped.error.details);
    }
    const blob = await ctx.blobs.adoptFile(path);
    const evidence = await storeSignatureEvidence(ctx, { messageId: input.messageId, receiptId: receipt.receiptId, signatures: [], timestamps, at: input.at });
    const row: ReceiptRow = {
      id: receipt.receiptId,
      messageId: input.messageId,
      kind: input.kind,
      issuedBy: 'gateway',
      issuerId: ctx.gatewayParty.id,
      issuedAt: receipt.issuedAt,
      receivedAt: receipt.issuedAt,
      containerBlob: blob.id,
      receiptDigest: digestBytes('sha-256', receiptXml).toString('hex'),
      registrationNumber: null,
      registrationDate: null,
      reasonCode: input.reason?.code ?? null,
      reasonText: input.reason?.text ?? null,
    };
    return { ok: true, value: { receipt: row, evidence, timestampPending } };
  } finally {
    await rm(path, { force: true });
  }
}

/** Journal event of a gateway receipt recorded without its signature time-stamp (TSA down). */
export const TIMESTAMP_PENDING_EVENT = 'evidence.timestamp-pending';
/** Journal event of a token added afterwards to such a receipt. */
export const TIMESTAMP_ADDED_EVENT = 'evidence.timestamped';

/**
 * Adds the signature time-stamp tokens that {@link prepareEvidence} had to defer (`deferTimestamp`):
 * for each pending gateway receipt, oldest first, one TSA request over its signature value; the
 * token row and an `evidence.timestamped` event commit together. The token's genTime is when the
 * TSA saw the signature — later than the receipt's issuedAt, and honest about it. Stops at the
 * first TSA failure (the next run tries again); safe to run from several instances (a receipt
 * that got its token meanwhile is skipped inside the transaction).
 */
export async function stampPendingReceipts(ctx: GatewayContext, options: { limit: number }): Promise<{ stamped: number; pending: number }> {
  if (ctx.timestamp === undefined) return { stamped: 0, pending: 0 };
  const e = tables.events;
  const me = tables.messageEvidence;
  const receiptIdOf = sql<string>`json_extract(${e.detailJson}, '$.receiptId')`;
  const noToken = sql`NOT EXISTS (SELECT 1 FROM ${me} WHERE ${me.receiptId} = ${receiptIdOf} AND ${me.kind} = 'signature-timestamp')`;
  const pending = ctx.db
    .select({ messageId: e.messageId, receiptId: receiptIdOf })
    .from(e)
    .where(and(eq(e.type, TIMESTAMP_PENDING_EVENT), noToken))
    .orderBy(asc(e.seq))
    .limit(Math.max(0, options.limit))
    .all();
  let stamped = 0;
  for (const p of pending) {
    const receipt = ctx.db.select().from(tables.receipts).where(eq(tables.receipts.id, p.receiptId)).get();
    if (receipt === undefined || p.messageId === null) continue;
    const path = await ctx.blobs.pathOf(receipt.containerBlob);
    if (path === undefined) throw new Error(`receipt ${receipt.id}: blob ${receipt.containerBlob} is missing`);
    const at = ctx.now();
    const stamper = createSignatureStamper(ctx, at);
    if (stamper === undefined) break;
    const tokens = await stampSignature(stamper, RECEIPT_SIGNATURE_ENTRY, await readReceiptSignature(path));
    if (!tokens.ok) break;
    const rows = await storeSignatureEvidence(ctx, { messageId: p.messageId, receiptId: receipt.id, signatures: [], timestamps: tokens.value, at });
    const messageId = p.messageId;
    const added = ctx.db.transaction((tx) => {
      const already = tx.select({ id: me.id }).from(me).where(and(eq(me.receiptId, receipt.id), eq(me.kind, 'signature-timestamp'))).get();
      if (already !== undefined) return false;
      for (const row of rows) tx.insert(me).values(row).run();
      appendEvent(tx, {
        at: at.toISOString(),
        type: TIMESTAMP_ADDED_EVENT,
        actor: 'gateway',
        messageId,
        fromState: null,
        toState: null,
        detail: { receiptId: receipt.id, genTime: tokens.value.map((t) => t.genTime.toISOString()) },
      });
      return true;
    });
    if (added) stamped += 1;
  }
  return { stamped, pending: pending.length };
}
