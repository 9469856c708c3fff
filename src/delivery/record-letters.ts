import { eq } from 'drizzle-orm';
import { appendEvent, tables, type Db } from '../db/index.ts';
import type { Envelope } from '../envelope/index.ts';
import type { ContainerVerification } from '../letters/index.ts';
import type { StoredBlob } from '../storage/index.ts';
import type { GatewayContext } from './context.ts';
import type { ReceiptRow } from './evidence.ts';
import type { EvidenceRow } from './signature-evidence.ts';
import { canTransition } from './state-machine.ts';
import { transitionMessage } from './transition.ts';

export type LetterVerification = Extract<ContainerVerification, { kind: 'letter' }>;

/** A letter fully checked and stored on disk, waiting for its rows. */
export interface AcceptedLetter {
  envelope: Envelope;
  /** SHA-256 of envelope.xml, base64 (what receipts name). */
  envelopeDigest: string;
  container: StoredBlob;
  verification: LetterVerification;
  evidence: ReceiptRow;
  /** Revocation data and detached time-stamp tokens of its signatures and of its `accepted` receipt. */
  longTermEvidence: readonly EvidenceRow[];
}

export interface SubmissionResponse {
  submissionId: string;
  messages: { id: string; to: string; state: 'queued' }[];
}

/**
 * Writes one submission and its letters in ONE synchronous transaction: submission row, each
 * message (accepted -> queued, both journalled), its files, signature reports and `accepted`
 * evidence, and moves answered originals to `answered`. Either all of it commits or none.
 */
export function recordSubmission(
  ctx: GatewayContext,
  input: { submissionId: string; senderId: string; idempotencyKey: string | null; requestHash: string; letters: readonly AcceptedLetter[]; at: Date; actor: string },
): SubmissionResponse {
  const at = input.at.toISOString();
  const response: SubmissionResponse = {
    submissionId: input.submissionId,
    messages: input.letters.map((l) => ({ id: l.envelope.messageId, to: l.envelope.recipient.id, state: 'queued' })),
  };
  const expiresAt = new Date(input.at.getTime() + ctx.messageTtlMs).toISOString();
  ctx.db.transaction((tx) => {
    tx.insert(tables.submissions)
      .values({
        id: input.submissionId,
        senderId: input.senderId,
        idempotencyKey: input.idempotencyKey,
        requestHash: input.requestHash,
        responseJson: JSON.stringify(response),
        createdAt: at,
      })
      .run();
    for (const letter of input.letters) insertLetter(tx, input, letter, at, expiresAt);
  });
  ctx.changes.poke();
  return response;
}

function insertLetter(
  tx: Db,
  input: { submissionId: string; senderId: string; actor: string },
  letter: AcceptedLetter,
  at: string,
  expiresAt: string,
): void {
  const e = letter.envelope;
  const recipient = tx.select().from(tables.participants).where(eq(tables.participants.id, e.recipient.id)).get();
  if (recipient === undefined) throw new Error(`recipient ${e.recipient.id} vanished`);
  tx.insert(tables.messages)
    .values({
      id: e.messageId,
      submissionId: input.submissionId,
      senderId: input.senderId,
      recipientId: e.recipient.id,
      state: 'accepted',
      kind: e.document.kind,
      regNumber: e.document.regNumber,
      regDate: e.document.regDate,
      subject: e.document.subject,
      inReplyTo: e.document.inReplyTo ?? null,
      responseDue: e.document.responseDue ?? defaultResponseDue(e.document.kind, at),
      envelopeDigest: letter.envelopeDigest,
      containerBlob: letter.container.id,
      containerSize: letter.container.size,
      createdAt: at,
      updatedAt: at,
      deliveredAt: null,
      expiresAt,
      nextAttemptAt: null,
      attempts: 0,
      answeredBy: null,
    })
    .run();
  appendEvent(tx, {
    at,
    type: 'message.accepted',
    actor: input.actor,
    messageId: e.messageId,
    fromState: null,
    toState: 'accepted',
    detail: { submissionId: input.submissionId, envelopeDigest: letter.envelopeDigest, container: letter.container.id, evidence: letter.evidence.id },
  });
  for (const f of e.files) {
    tx.insert(tables.messageFiles)
      .values({ messageId: e.messageId, fileId: f.id, role: f.role, name: f.name, mediaType: f.mediaType, size: f.size, digestAlgorithm: f.digest.algorithm, digest: f.digest.value })
      .run();
  }
  for (const s of letter.verification.signatures) {
    for (const r of s.reports) {
      tx.insert(tables.signatureReports)
        .values({
          messageId: e.messageId,
          receiptId: null,
          path: s.path,
          role: s.role,
          fileId: s.fileId ?? null,
          indication: r.indication,
          subIndication: r.subIndication,
          signer: r.signedBy?.subject ?? null,
          reportJson: JSON.stringify(r),
          createdAt: at,
        })
        .run();
    }
  }
  tx.insert(tables.receipts).values(letter.evidence).run();
  for (const row of letter.longTermEvidence) tx.insert(tables.messageEvidence).values(row).run();
  const push = recipient.deliveryMode === 'push';
  transitionMessage(tx, {
    messageId: e.messageId,
    from: 'accepted',
    to: 'queued',
    at: new Date(at),
    actor: 'gateway',
    type: push ? 'message.queued-for-push' : 'message.queued-in-inbox',
    set: push ? { nextAttemptAt: at } : {},
  });
  const original = e.document.inReplyTo;
  if (original !== undefined) {
    const row = tx.select().from(tables.messages).where(eq(tables.messages.id, original)).get();
    if (row !== undefined && canTransition(row.state, 'answered')) {
      transitionMessage(tx, {
        messageId: original,
        from: row.state,
        to: 'answered',
        at: new Date(at),
        actor: input.senderId,
        type: 'message.answered',
        detail: { reply: e.messageId },
        set: { answeredBy: e.messageId },
      });
    }
  }
}

/**
 * SPEC §5: response deadlines are tracked even when the envelope states none — 30 days for
 * citizens' appeals (59-FZ art. 12), 10 days for official letters and requests; notices and
 * replies expect no answer.
 */
export function defaultResponseDue(kind: string, acceptedAt: string): string | null {
  const days = kind === 'appeal' ? 30 : kind === 'letter' || kind === 'request' ? 10 : null;
  if (days === null) return null;
  return new Date(Date.parse(acceptedAt) + days * 86_400_000).toISOString().slice(0, 10);
}
