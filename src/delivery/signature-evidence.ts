import { createHash } from 'node:crypto';
import { signatureValuesOf, timestampSignatureValue, type SignatureValueTimestamp } from '../crypto/timestamp/index.ts';
import { asc, eq } from 'drizzle-orm';
import { tables } from '../db/index.ts';
import { openContainer } from '../envelope/index.ts';
import { MAX_SIGNATURE_BYTES, type SignatureVerification } from '../letters/index.ts';
import { fail, type DeliveryResult, type GatewayContext } from './context.ts';

export type EvidenceRow = typeof tables.messageEvidence.$inferInsert;

/** A token over one SignerInfo's signature value, kept beside the signature (its bytes stay as they are). */
export interface DetachedTimestamp extends SignatureValueTimestamp {
  /** Container path of the `.p7s`. */
  path: string;
  /** Position of the SignerInfo in the SignedData. */
  signerIndex: number;
}

/**
 * Time-stamps signature values once each: a signature that goes to N recipients (a signatory's
 * `.p7s`) costs one TSA request, not N. Shared by the letters of one submission; a failure is
 * remembered, so the whole submission fails with TSA_UNAVAILABLE at the first one. Each token's
 * TSA path is checked for revocation at genTime with the gateway's sources and policy; a revoked
 * TSA (TSA_REVOKED) or one whose status cannot be established (TSA_REVOCATION_UNAVAILABLE) is a
 * TSA_UNAVAILABLE failure too, with that code in the details.
 */
export interface SignatureStamper {
  stamp(signatureValue: Buffer): Promise<DeliveryResult<SignatureValueTimestamp>>;
  /** TSA requests made so far (distinct signature values). */
  requests(): number;
}

/** The stamper for one request (one clock reading), or undefined without a configured TSA. */
export function createSignatureStamper(ctx: GatewayContext, now: Date): SignatureStamper | undefined {
  const tsa = ctx.timestamp;
  if (tsa === undefined) return undefined;
  const done = new Map<string, Promise<DeliveryResult<SignatureValueTimestamp>>>();
  return {
    requests: () => done.size,
    stamp(signatureValue) {
      const key = createHash('sha256').update(signatureValue).digest('hex');
      let pending = done.get(key);
      if (pending === undefined) {
        pending = timestampSignatureValue({
          signatureValue,
          tsaUrl: tsa.url,
          fetch: tsa.fetch,
          timeoutMs: tsa.timeoutMs,
          trustAnchors: tsa.trustAnchors,
          now,
          // The TSA's path is judged as the validator will judge the stored token: a revoked or
          // unverifiable TSA is refused like one that is down, and its CRLs / OCSP responses are kept.
          revocation: { ...ctx.revocation(), mode: ctx.policy.revocation },
        }).then((r) => {
          if (!r.ok) return fail('TSA_UNAVAILABLE', `the signature cannot be time-stamped: TSA ${tsa.url}: ${r.error.code}: ${r.error.message}`, { code: r.error.code });
          ctx.tsaPathSeen?.(r.value.tsaPath);
          return r;
        });
        done.set(key, pending);
      }
      return pending;
    },
  };
}

/** Time-stamps every SignerInfo of one DER signature (CAdES-T semantics, RFC 5126 §6.1.1). */
export async function stampSignature(stamper: SignatureStamper, path: string, der: Buffer): Promise<DeliveryResult<DetachedTimestamp[]>> {
  const values = signatureValuesOf(der);
  if (!values.ok) return fail('SIGNATURE_INVALID', `${path}: ${values.error.message}`);
  const out: DetachedTimestamp[] = [];
  for (const [signerIndex, value] of values.value.entries()) {
    const stamped = await stamper.stamp(value);
    if (!stamped.ok) return stamped;
    out.push({ ...stamped.value, path, signerIndex });
  }
  return { ok: true, value: out };
}

/**
 * Time-stamps the signatures of a verified container that carry no signature time-stamp of their
 * own (a signatory's or a sender's `.p7s`, which must stay byte-identical), and records each
 * token's genTime as the best signature time of its report (ETSI EN 319 102-1 §5.6.2.1: a
 * time-stamp over the signature value is a proof of existence of the signature).
 */
export async function stampContainerSignatures(
  stamper: SignatureStamper,
  containerPath: string,
  signatures: readonly SignatureVerification[],
): Promise<DeliveryResult<DetachedTimestamp[]>> {
  const wanted = signatures.filter((s) => s.reports.some((r) => r.timestamp === null));
  if (wanted.length === 0) return { ok: true, value: [] };
  const opened = await openContainer({ path: containerPath });
  if (!opened.ok) return fail('CONTAINER_INVALID', `${opened.error.code}: ${opened.error.message}`);
  const ders = new Map<string, Buffer>();
  try {
    for (const s of wanted) {
      const der = await opened.value.readEntry(s.path, MAX_SIGNATURE_BYTES);
      if (!der.ok) return fail('CONTAINER_INVALID', `${s.path}: ${der.error.code}: ${der.error.message}`);
      ders.set(s.path, der.value);
    }
  } finally {
    await opened.value.close();
  }
  const all: DetachedTimestamp[] = [];
  for (const s of wanted) {
    const der = ders.get(s.path);
    if (der === undefined) continue;
    const stamped = await stampSignature(stamper, s.path, der);
    if (!stamped.ok) return stamped;
    for (const t of stamped.value) {
      const report = s.reports[t.signerIndex];
      if (report === undefined || report.timestamp !== null) continue;
      report.timestamp = t.summary;
      report.bestSignatureTime = t.summary.genTime;
      const check = report.checks.find((c) => c.id === 'timestamp');
      if (check !== undefined) {
        check.status = 'passed';
        check.message = `time-stamped by ${t.summary.tsa} at ${t.summary.genTime} on acceptance (token kept beside the signature); ${t.revocationNote}`;
      }
      all.push(t);
    }
  }
  return { ok: true, value: all };
}

/**
 * Stores the long-term evidence of a message as blobs (CAdES-LT / -T style, kept beside the
 * container): the CRLs and OCSP responses that decided each signature's revocation status (from
 * the reports), the detached signature time-stamp tokens, and the CRLs and OCSP responses that
 * decided each token's TSA path at genTime (under the token's path). Returns the rows to insert in the
 * same transaction as the message; blobs are written first, so a committed row has its bytes.
 */
export async function storeSignatureEvidence(
  ctx: GatewayContext,
  input: { messageId: string; receiptId?: string; signatures: readonly SignatureVerification[]; timestamps: readonly DetachedTimestamp[]; at: Date },
): Promise<EvidenceRow[]> {
  const rows: EvidenceRow[] = [];
  const seen = new Set<string>();
  const base = { messageId: input.messageId, receiptId: input.receiptId ?? null, createdAt: input.at.toISOString() };
  const add = async (path: string, kind: EvidenceRow['kind'], bytes: Buffer, genTime: string | null): Promise<void> => {
    const blob = await ctx.blobs.putBuffer(bytes);
    const key = `${path}\n${kind}\n${blob.id}`;
    if (seen.has(key)) return;
    seen.add(key);
    rows.push({ ...base, path, kind, blob: blob.id, genTime });
  };
  for (const s of input.signatures) {
    for (const r of s.reports) {
      for (const crl of r.revocationEvidence.crls) await add(s.path, 'crl', Buffer.from(crl, 'base64'), null);
      for (const ocsp of r.revocationEvidence.ocsp) await add(s.path, 'ocsp', Buffer.from(ocsp, 'base64'), null);
    }
  }
  for (const t of input.timestamps) {
    await add(t.path, 'signature-timestamp', t.token, t.genTime.toISOString());
    // The TSA path's revocation data at genTime: without it the token is TRY_LATER offline.
    for (const crl of t.revocationEvidence.crls) await add(t.path, 'crl', crl, null);
    for (const ocsp of t.revocationEvidence.ocsp) await add(t.path, 'ocsp', ocsp, null);
  }
  return rows;
}

/**
 * When a container fails only because some certificate's revocation status could not be
 * established (INDETERMINATE/TRY_LATER: the CRL is stale and its distribution point and the OCSP
 * responder do not answer), the letter is not bad: the sender should try again later.
 */
export function onlyTryLater(v: { findings: readonly unknown[]; signatures: readonly SignatureVerification[] }): boolean {
  const failing = v.signatures.flatMap((s) => s.reports).filter((r) => r.indication !== 'TOTAL-PASSED');
  return v.findings.length === 0 && failing.length > 0 && failing.every((r) => r.indication === 'INDETERMINATE' && r.subIndication === 'TRY_LATER');
}

export interface StoredEvidence {
  id: number;
  kind: EvidenceRow['kind'];
  /** Container entry of the signature it belongs to (`receipt.xml.p7s` for a receipt's). */
  path: string;
  receiptId: string | null;
  genTime: string | null;
  /** SHA-256 of the bytes (the blob's address). */
  sha256: string;
}

/** The long-term evidence kept with a message, in the order it was stored. */
export function listMessageEvidence(ctx: GatewayContext, messageId: string): StoredEvidence[] {
  const t = tables.messageEvidence;
  return ctx.db
    .select()
    .from(t)
    .where(eq(t.messageId, messageId))
    .orderBy(asc(t.id))
    .all()
    .map((r) => ({ id: r.id, kind: r.kind, path: r.path, receiptId: r.receiptId, genTime: r.genTime, sha256: r.blob }));
}

/** How an evidence item is served for download: media type and file name (by kind). */
export function evidenceFile(item: Pick<StoredEvidence, 'id' | 'kind'>): { mediaType: string; filename: string } {
  switch (item.kind) {
    case 'crl':
      return { mediaType: 'application/pkix-crl', filename: `evidence-${item.id}.crl` };
    case 'ocsp':
      return { mediaType: 'application/ocsp-response', filename: `evidence-${item.id}.ocsp.der` };
    case 'signature-timestamp':
      return { mediaType: 'application/timestamp-token', filename: `evidence-${item.id}.tst` };
  }
}
