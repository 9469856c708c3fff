import { join } from 'node:path';
import { rm } from 'node:fs/promises';
import { digestBytes } from '../crypto/index.ts';
import type { Receipt, ReceiptKind } from '../envelope/index.ts';
import { openContainer } from '../envelope/index.ts';
import { MAX_SIGNATURE_BYTES, RECEIPT_SIGNATURE_ENTRY, writeReceiptContainer } from '../letters/index.ts';
import type { tables } from '../db/index.ts';
import { fail, type DeliveryResult, type GatewayContext } from './context.ts';
import { createSignatureStamper, stampSignature, storeSignatureEvidence, type DetachedTimestamp, type EvidenceRow } from './signature-evidence.ts';

export type ReceiptRow = typeof tables.receipts.$inferInsert;

/** A gateway receipt ready to insert, with the rows of its signature time-stamp token (when a TSA is configured). */
export interface PreparedEvidence {
  receipt: ReceiptRow;
  evidence: EvidenceRow[];
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
  input: { messageId: string; envelopeDigest: string; kind: Extract<ReceiptKind, 'accepted' | 'rejected' | 'delivered' | 'not-delivered'>; at: Date; reason?: { code: string; text: string } },
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
    if (stamper !== undefined) {
      const stamped = await stampSignature(stamper, RECEIPT_SIGNATURE_ENTRY, await readReceiptSignature(path));
      if (!stamped.ok) return fail('TSA_UNAVAILABLE', `the ${input.kind} receipt cannot be time-stamped: ${stamped.error.message}`, stamped.error.details);
      timestamps = stamped.value;
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
    return { ok: true, value: { receipt: row, evidence } };
  } finally {
    await rm(path, { force: true });
  }
}
