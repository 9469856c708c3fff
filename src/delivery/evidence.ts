import { join } from 'node:path';
import { rm } from 'node:fs/promises';
import { digestBytes } from '../crypto/index.ts';
import type { Receipt, ReceiptKind } from '../envelope/index.ts';
import { writeReceiptContainer } from '../letters/index.ts';
import type { tables } from '../db/index.ts';
import type { GatewayContext } from './context.ts';

export type ReceiptRow = typeof tables.receipts.$inferInsert;

/**
 * Makes the gateway's signed evidence receipt (SPEC §2: accepted, rejected, delivered,
 * not-delivered) about one message, stores the container as a blob, and returns the row to
 * insert in the same transaction as the state change it proves. Crypto and I/O happen here,
 * before the transaction.
 */
export async function prepareEvidence(
  ctx: GatewayContext,
  input: { messageId: string; envelopeDigest: string; kind: Extract<ReceiptKind, 'accepted' | 'rejected' | 'delivered' | 'not-delivered'>; at: Date; reason?: { code: string; text: string } },
): Promise<ReceiptRow> {
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
    const blob = await ctx.blobs.adoptFile(path);
    return {
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
  } finally {
    await rm(path, { force: true });
  }
}
