import { eq } from 'drizzle-orm';
import { tables } from '../db/index.ts';
import { getParticipant } from '../directory/index.ts';
import { fail, verifyForGateway, type DeliveryResult, type GatewayContext } from './context.ts';
import { prepareEvidence } from './evidence.ts';
import { createSignatureStamper, onlyTryLater, stampContainerSignatures, storeSignatureEvidence } from './signature-evidence.ts';
import { recordSubmission, type SubmissionResponse } from './record-letters.ts';

/**
 * POST /api/v1/containers — a ready letter container signed by the sender's own system. It is
 * verified completely before anything is stored: the envelope must name the caller as sender
 * and a known, active recipient; every signature must pass and belong to the sender.
 */
export async function acceptContainer(ctx: GatewayContext, input: { senderId: string; actor: string; containerPath: string }): Promise<DeliveryResult<SubmissionResponse>> {
  const at = ctx.now();
  const verified = await verifyForGateway(ctx, input.containerPath, at);
  if (!verified.ok) return fail('CONTAINER_INVALID', verified.error.message, { code: verified.error.code });
  const v = verified.value;
  if (v.kind !== 'letter') return fail('CONTAINER_INVALID', 'the container holds a receipt; post receipts to /api/v1/inbox/{id}/receipts');
  const e = v.envelope;
  if (e.sender.id !== input.senderId) return fail('NOT_SENDER', `the envelope names ${e.sender.id} as sender, but you are ${input.senderId}`);
  const sender = getParticipant(ctx.db, input.senderId);
  if (sender === undefined || sender.state !== 'active') return fail('SENDER_SUSPENDED', `participant ${input.senderId} may not send`);
  if (e.sender.inn !== sender.inn || e.sender.ogrn !== sender.ogrn) {
    return fail('NOT_SENDER', 'the envelope states the sender\'s INN/OGRN differently from the directory');
  }
  const recipient = getParticipant(ctx.db, e.recipient.id);
  if (recipient === undefined || recipient.id === sender.id) return fail('UNKNOWN_RECIPIENT', `no participant ${e.recipient.id} in the directory`, { recipient: e.recipient.id });
  if (recipient.state !== 'active') return fail('RECIPIENT_SUSPENDED', `participant ${recipient.id} is suspended`, { recipient: recipient.id });
  if (!v.passed && onlyTryLater(v)) {
    return fail('REVOCATION_UNAVAILABLE', 'the revocation status of a certificate cannot be established now (TRY_LATER); send the container again later', { findings: v.findings, signatures: v.signatures });
  }
  if (!v.passed) return fail('SIGNATURE_INVALID', 'the container does not verify; see details', { findings: v.findings, signatures: v.signatures });
  const existing = ctx.db.select({ id: tables.messages.id }).from(tables.messages).where(eq(tables.messages.id, e.messageId)).get();
  if (existing !== undefined) return fail('DUPLICATE_MESSAGE', `message ${e.messageId} was already submitted`);
  const original = e.document.inReplyTo;
  if (original !== undefined) {
    const row = ctx.db.select().from(tables.messages).where(eq(tables.messages.id, original)).get();
    if (row === undefined || row.recipientId !== sender.id || row.senderId !== recipient.id) {
      return fail('REPLY_TARGET_INVALID', `in-reply-to ${original} is not a letter that ${recipient.id} sent to ${sender.id}`);
    }
  }
  const envelopeDigest = v.envelopeDigest;
  // The sender's signatures stay byte-identical (its envelope names them): their time-stamps are kept beside them.
  const stamper = createSignatureStamper(ctx, at);
  const stamped = stamper === undefined ? { ok: true as const, value: [] } : await stampContainerSignatures(stamper, input.containerPath, v.signatures);
  if (!stamped.ok) return stamped;
  const prepared = await prepareEvidence(ctx, { messageId: e.messageId, envelopeDigest, kind: 'accepted', at });
  if (!prepared.ok) return prepared;
  const container = await ctx.blobs.adoptFile(input.containerPath);
  const signatureEvidence = await storeSignatureEvidence(ctx, { messageId: e.messageId, signatures: v.signatures, timestamps: stamped.value, at });
  const evidence = prepared.value.receipt;
  const longTermEvidence = [...signatureEvidence, ...prepared.value.evidence];
  try {
    const response = recordSubmission(ctx, {
      submissionId: ctx.newId(),
      senderId: sender.id,
      idempotencyKey: null,
      requestHash: container.id,
      letters: [{ envelope: e, envelopeDigest, container, verification: v, evidence, longTermEvidence }],
      at,
      actor: input.actor,
    });
    return { ok: true, value: response };
  } catch (error) {
    // Two uploads of the same container raced; the message id is unique, the loser is a duplicate.
    if (ctx.db.select({ id: tables.messages.id }).from(tables.messages).where(eq(tables.messages.id, e.messageId)).get() !== undefined) {
      return fail('DUPLICATE_MESSAGE', `message ${e.messageId} was already submitted`);
    }
    throw error;
  }
}
