import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { and, eq } from 'drizzle-orm';
import { attachSignatureTimestampTokens, createHasher, signingDigestFor, type SigningKey } from '../crypto/index.ts';
import { signatureValuesOf } from '../crypto/timestamp/index.ts';
import { tables } from '../db/index.ts';
import { getParticipant, getParticipants, hostedIdentity, toParty } from '../directory/index.ts';
import type { EnvelopeDocument } from '../envelope/index.ts';
import { packLetter, signWithIdentity, type SigningIdentity, type StampResult } from '../letters/index.ts';
import { fail, verifyForGateway, type DeliveryResult, type GatewayContext } from './context.ts';
import { prepareEvidence } from './evidence.ts';
import { recordSubmission, type AcceptedLetter, type SubmissionResponse } from './record-letters.ts';
import { createSignatureStamper, onlyTryLater, stampContainerSignatures, storeSignatureEvidence, type SignatureStamper } from './signature-evidence.ts';

export interface SubmitLetterInput {
  senderId: string;
  actor: string;
  to: readonly string[];
  document: EnvelopeDocument;
  /** Uploaded files, already on disk in the gateway's scratch space. */
  files: readonly { path: string; name: string; mediaType?: string }[];
  /** Detached signatures supplied by the signatory, each for one file name. */
  signatures: readonly { path: string; forName: string }[];
  idempotencyKey?: string;
}

export type SubmitLetterOutput = SubmissionResponse & { replayed: boolean };

async function requestHash(input: SubmitLetterInput): Promise<string> {
  const h = createHash('sha256');
  h.update(JSON.stringify({ to: input.to, document: input.document }));
  for (const part of [...input.files.map((f) => ({ kind: 'file', name: f.name, path: f.path })), ...input.signatures.map((s) => ({ kind: 'sig', name: s.forName, path: s.path }))]) {
    h.update(`\n${part.kind}:${part.name}:`);
    for await (const chunk of createReadStream(part.path)) h.update(chunk as Buffer);
  }
  return h.digest('hex');
}

/**
 * POST /api/v1/messages (issue 3): one submission to N recipients makes N letters. Each is packed
 * (files signed with the sender's hosted key unless signatures are supplied, envelope signed as
 * transport signature), time-stamped by the configured TSA (CAdES-T, RFC 3161; TSA_UNAVAILABLE
 * when it cannot be), fully verified as a receiver would, stored, and answered with `accepted`
 * evidence — all before one transaction records everything. Idempotent per `Idempotency-Key`.
 */
export async function submitLetter(ctx: GatewayContext, input: SubmitLetterInput): Promise<DeliveryResult<SubmitLetterOutput>> {
  const hash = await requestHash(input);
  const replay = checkIdempotency(ctx, input.senderId, input.idempotencyKey, hash);
  if (replay !== undefined) return replay;

  const sender = getParticipant(ctx.db, input.senderId);
  if (sender === undefined || sender.state !== 'active') return fail('SENDER_SUSPENDED', `participant ${input.senderId} may not send`);
  const to = [...new Set(input.to)];
  const recipients = getParticipants(ctx.db, to);
  for (const id of to) {
    const r = recipients.get(id);
    if (r === undefined) return fail('UNKNOWN_RECIPIENT', `no participant ${id} in the directory`, { recipient: id });
    if (r.state !== 'active') return fail('RECIPIENT_SUSPENDED', `participant ${id} is suspended`, { recipient: id });
    if (id === sender.id) return fail('UNKNOWN_RECIPIENT', 'a participant cannot send a letter to itself', { recipient: id });
  }
  const original = input.document.inReplyTo;
  if (original !== undefined) {
    const row = ctx.db.select().from(tables.messages).where(eq(tables.messages.id, original)).get();
    if (row === undefined || row.recipientId !== sender.id || to.length !== 1 || row.senderId !== to[0]) {
      return fail('REPLY_TARGET_INVALID', `in-reply-to ${original} is not a letter that ${to[0] ?? '?'} sent to ${sender.id}`);
    }
  }
  const signer = await hostedIdentity(ctx.db, sender.id, ctx.now());
  if (signer === undefined) return fail('NO_HOSTED_KEY', `the gateway holds no signing key for ${sender.id}; upload a signed container instead`);

  const at = ctx.now();
  // Signature values time-stamped once for the whole submission (a signatory's .p7s goes to every recipient).
  const valueStamper = createSignatureStamper(ctx, at);
  const stamping = valueStamper === undefined ? undefined : embeddingStamper(valueStamper);
  const letters: AcceptedLetter[] = [];
  const scratch: string[] = [];
  try {
    let documentSignatures = input.signatures.map((s) => ({ sourcePath: s.path, forName: s.forName }));
    if (documentSignatures.length === 0) {
      // Each file is signed (and time-stamped) once and the same signature goes into every
      // recipient's container: N recipients cost N+F signatures and TSA requests, not N·(F+1).
      const dir = await mkdtemp(join(ctx.tmpDir, 'signatures-'));
      scratch.push(dir);
      const signed = await signFilesOnce(input.files, signer, at, stamping, join(dir, 'f'));
      if (!signed.ok) return fail('TSA_UNAVAILABLE', `the letter cannot be time-stamped: ${signed.error.message}`, { code: stamping?.lastError() ?? 'TIMESTAMP_FAILED' });
      documentSignatures = signed.value;
    }
    for (const id of to) {
      const recipient = recipients.get(id);
      if (recipient === undefined) continue;
      const messageId = ctx.newId();
      const out = join(ctx.tmpDir, `${messageId}.zip`);
      scratch.push(out);
      const packed = await packLetter({
        outputPath: out,
        messageId,
        now: at,
        sender: toParty(sender),
        recipient: toParty(recipient),
        document: input.document,
        files: input.files.map((f) => ({ sourcePath: f.path, name: f.name, ...(f.mediaType === undefined ? {} : { mediaType: f.mediaType }) })),
        suppliedSignatures: documentSignatures,
        signer,
        durable: false, // the blob store fsyncs it once when it adopts the file
        ...(stamping === undefined ? {} : { stampSignature: stamping.stamp }),
      });
      if (!packed.ok && packed.error.code === 'TIMESTAMP_FAILED') {
        return fail('TSA_UNAVAILABLE', `the letter cannot be time-stamped: ${packed.error.message}`, { code: stamping?.lastError() ?? packed.error.code });
      }
      if (!packed.ok) return fail('LETTER_INVALID', packed.error.message, { code: packed.error.code });
      const verified = await verifyForGateway(ctx, out, at);
      if (!verified.ok) return fail('LETTER_INVALID', verified.error.message);
      const v = verified.value;
      if (v.kind !== 'letter') return fail('LETTER_INVALID', 'not a letter');
      if (!v.passed && onlyTryLater(v)) {
        return fail('REVOCATION_UNAVAILABLE', 'the revocation status of a signer\'s certificate cannot be established now (TRY_LATER); send the letter again later', { findings: v.findings, signatures: v.signatures });
      }
      if (!v.passed) return fail('SIGNATURE_INVALID', 'the letter does not verify; see details', { findings: v.findings, signatures: v.signatures });
      // Supplied signatures stay as the signatory made them; their time-stamps are kept beside them.
      const stamped = valueStamper === undefined ? { ok: true as const, value: [] } : await stampContainerSignatures(valueStamper, out, v.signatures);
      if (!stamped.ok) return stamped;
      const envelopeDigest = packed.value.envelopeDigest.toString('base64');
      const prepared = await prepareEvidence(ctx, { messageId, envelopeDigest, kind: 'accepted', at });
      if (!prepared.ok) return prepared;
      const container = await ctx.blobs.adoptFile(out);
      const signatureEvidence = await storeSignatureEvidence(ctx, { messageId, signatures: v.signatures, timestamps: stamped.value, at });
      letters.push({ envelope: packed.value.envelope, envelopeDigest, container, verification: v, evidence: prepared.value.receipt, longTermEvidence: [...signatureEvidence, ...prepared.value.evidence] });
    }
  } finally {
    await Promise.all(scratch.map((p) => rm(p, { force: true, recursive: true })));
  }

  try {
    const response = recordSubmission(ctx, {
      submissionId: ctx.newId(),
      senderId: sender.id,
      idempotencyKey: input.idempotencyKey ?? null,
      requestHash: hash,
      letters,
      at,
      actor: input.actor,
    });
    return { ok: true, value: { ...response, replayed: false } };
  } catch (error) {
    // A concurrent request with the same key won the race: answer as it was answered.
    const again = checkIdempotency(ctx, input.senderId, input.idempotencyKey, hash);
    if (again !== undefined) return again;
    throw error;
  }
}

/**
 * The packLetter hook adding a verified RFC 3161 signature time-stamp (CAdES-T, ETSI EN 319 122-1
 * §5.3) as the signatureTimeStampToken of each SignerInfo of a signature the gateway makes. The
 * tokens come from the submission's {@link SignatureStamper}, so the TSA's path is checked for
 * revocation at genTime exactly as for the tokens kept beside supplied signatures (a revoked TSA
 * is TSA_UNAVAILABLE, not a signature that then fails verification); remembers the last failure's
 * code for the API error details.
 */
function embeddingStamper(values: SignatureStamper): { stamp: (der: Buffer) => Promise<StampResult>; lastError: () => string | undefined } {
  let lastError: string | undefined;
  const failed = (code: string, message: string): StampResult => {
    lastError = code;
    return { ok: false, error: { message } };
  };
  return {
    lastError: () => lastError,
    stamp: async (der) => {
      const signatureValues = signatureValuesOf(der);
      if (!signatureValues.ok) return failed(signatureValues.error.code, signatureValues.error.message);
      const tokens: Buffer[] = [];
      for (const value of signatureValues.value) {
        const stamped = await values.stamp(value);
        if (!stamped.ok) return failed(detailCode(stamped.error.details) ?? stamped.error.code, stamped.error.message);
        tokens.push(stamped.value.token);
      }
      const attached = attachSignatureTimestampTokens(der, tokens);
      return attached.ok ? attached : failed(attached.error.code, attached.error.message);
    },
  };
}

function detailCode(details: unknown): string | undefined {
  return typeof details === 'object' && details !== null && 'code' in details && typeof details.code === 'string' ? details.code : undefined;
}

/**
 * Signs every file once with the sender's hosted key (CAdES-BES detached, as packLetter would) and
 * time-stamps each signature when a TSA is configured; the signatures are written to `prefix`N.p7s
 * in a scratch directory and handed to packLetter as the document signatures of every recipient's letter.
 */
async function signFilesOnce(
  files: SubmitLetterInput['files'],
  signer: SigningIdentity<SigningKey>,
  now: Date,
  stamping: ReturnType<typeof embeddingStamper> | undefined,
  prefix: string,
): Promise<{ ok: true; value: { sourcePath: string; forName: string }[] } | { ok: false; error: { message: string } }> {
  const algorithm = signingDigestFor(signer.privateKey, 'sha-256');
  const out: { sourcePath: string; forName: string }[] = [];
  for (const [i, f] of files.entries()) {
    const hasher = createHasher(algorithm);
    for await (const chunk of createReadStream(f.path)) hasher.update(chunk as Buffer);
    const der = signWithIdentity(signer, hasher.digest(), algorithm, now);
    const stamped = stamping === undefined ? { ok: true as const, value: der } : await stamping.stamp(der);
    if (!stamped.ok) return { ok: false, error: { message: `signature of "${f.name}": ${stamped.error.message}` } };
    const path = `${prefix}${i + 1}.p7s`;
    await writeFile(path, stamped.value);
    out.push({ sourcePath: path, forName: f.name });
  }
  return { ok: true, value: out };
}

function checkIdempotency(
  ctx: GatewayContext,
  senderId: string,
  key: string | undefined,
  hash: string,
): DeliveryResult<SubmitLetterOutput> | undefined {
  if (key === undefined) return undefined;
  const row = ctx.db
    .select()
    .from(tables.submissions)
    .where(and(eq(tables.submissions.senderId, senderId), eq(tables.submissions.idempotencyKey, key)))
    .get();
  if (row === undefined) return undefined;
  if (row.requestHash !== hash) return fail('IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was used for a different request');
  return { ok: true, value: { ...(JSON.parse(row.responseJson) as SubmissionResponse), replayed: true } };
}
