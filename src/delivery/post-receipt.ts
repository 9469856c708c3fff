import { eq } from 'drizzle-orm';
import { tables } from '../db/index.ts';
import { isFingerprintRegisteredFor } from '../directory/index.ts';
import { fail, verifyForGateway, type DeliveryResult, type GatewayContext } from './context.ts';
import { inboxMessage } from './inbox.ts';
import { onlyTryLater, storeSignatureEvidence } from './signature-evidence.ts';
import { transitionMessage } from './transition.ts';

/**
 * POST /inbox/:id/receipts — the recipient's signed business receipt (`registered` with its
 * number and date, or `refused` with a reason) as a receipt container. Accepted only when it
 * verifies, is about exactly this message and envelope, is signed with a certificate registered
 * for the recipient, and has not been posted before (replay).
 */
export async function postReceipt(ctx: GatewayContext, input: { participantId: string; messageId: string; containerPath: string; actor: string }): Promise<DeliveryResult<{ receiptId: string; state: string }>> {
  const row = inboxMessage(ctx, input.participantId, input.messageId);
  if (row === undefined) return fail('MESSAGE_NOT_FOUND', `no message ${input.messageId} in your inbox`);
  const at = ctx.now();
  const verified = await verifyForGateway(ctx, input.containerPath, at);
  if (!verified.ok) return fail('RECEIPT_INVALID', verified.error.message, { code: verified.error.code });
  const v = verified.value;
  if (v.kind !== 'receipt') return fail('RECEIPT_INVALID', 'the container holds a letter, not a receipt');
  const r = v.receipt;
  if (r.kind !== 'registered' && r.kind !== 'refused') return fail('RECEIPT_INVALID', `a recipient may post registered or refused receipts, not ${r.kind}`);
  if (r.messageId !== row.id || r.envelopeDigest.algorithm !== 'sha-256' || r.envelopeDigest.value !== row.envelopeDigest) {
    return fail('RECEIPT_MISMATCH', 'the receipt is about another message or another envelope');
  }
  if (r.issuer.id !== input.participantId) return fail('RECEIPT_MISMATCH', `the receipt is issued by ${r.issuer.id}, not by the recipient`);
  if (!v.passed && onlyTryLater(v)) {
    return fail('REVOCATION_UNAVAILABLE', 'the revocation status of the receipt signer\'s certificate cannot be established now (TRY_LATER); post it again later', { findings: v.findings, signatures: v.signatures });
  }
  if (!v.passed) return fail('SIGNATURE_INVALID', 'the receipt does not verify; see details', { findings: v.findings, signatures: v.signatures });
  // SPEC §4 / issue 3: the signer's certificate must be registered for the recipient.
  for (const s of v.signatures) {
    for (const rep of s.reports) {
      const fingerprint = rep.signedBy?.fingerprintSha256;
      if (fingerprint === undefined || !isFingerprintRegisteredFor(ctx.db, input.participantId, fingerprint)) {
        return fail('RECEIPT_SIGNER_NOT_REGISTERED', `the receipt's signer (${rep.signedBy?.subject ?? 'unknown'}) has no certificate registered for ${input.participantId}`);
      }
    }
  }
  // Stored as hex, as the gateway's own evidence rows store theirs (unique: a replay is refused).
  const receiptDigest = Buffer.from(v.receiptDigest, 'base64').toString('hex');
  const replay = ctx.db.select({ id: tables.receipts.id }).from(tables.receipts).where(eq(tables.receipts.receiptDigest, receiptDigest)).get();
  const sameId = ctx.db.select({ id: tables.receipts.id }).from(tables.receipts).where(eq(tables.receipts.id, r.receiptId)).get();
  if (replay !== undefined || sameId !== undefined) return fail('RECEIPT_REPLAYED', 'this receipt was already posted');
  if (row.state !== 'delivered') {
    return fail('INVALID_STATE', `the message is ${row.state}; acknowledge it (delivered) before registering or refusing it`);
  }
  const blob = await ctx.blobs.adoptFile(input.containerPath);
  const longTermEvidence = await storeSignatureEvidence(ctx, { messageId: row.id, receiptId: r.receiptId, signatures: v.signatures, timestamps: [], at });
  const to = r.kind;
  const outcome = ctx.db.transaction((tx) => {
    const moved = transitionMessage(tx, {
      messageId: row.id,
      from: 'delivered',
      to,
      at,
      actor: input.actor,
      type: `message.${to}`,
      detail: { receiptId: r.receiptId, ...(r.registration === undefined ? {} : { registration: r.registration }), ...(r.reason === undefined ? {} : { reason: r.reason }) },
    });
    if (!moved) return false;
    tx.insert(tables.receipts)
      .values({
        id: r.receiptId,
        messageId: row.id,
        kind: r.kind,
        issuedBy: 'recipient',
        issuerId: input.participantId,
        issuedAt: r.issuedAt,
        receivedAt: at.toISOString(),
        containerBlob: blob.id,
        receiptDigest,
        registrationNumber: r.registration?.number ?? null,
        registrationDate: r.registration?.date ?? null,
        reasonCode: r.reason?.code ?? null,
        reasonText: r.reason?.text ?? null,
      })
      .run();
    for (const e of longTermEvidence) tx.insert(tables.messageEvidence).values(e).run();
    for (const s of v.signatures) {
      for (const rep of s.reports) {
        tx.insert(tables.signatureReports)
          .values({ messageId: row.id, receiptId: r.receiptId, path: s.path, role: 'receipt', fileId: null, indication: rep.indication, subIndication: rep.subIndication, signer: rep.signedBy?.subject ?? null, reportJson: JSON.stringify(rep), createdAt: at.toISOString() })
          .run();
      }
    }
    return true;
  });
  ctx.changes.poke();
  if (!outcome) return fail('INVALID_STATE', 'the message changed state meanwhile; try again');
  return { ok: true, value: { receiptId: r.receiptId, state: to } };
}
