/** Verification of detached CMS signatures into ETSI EN 319 102-1 validation reports. */
import type { DigestAlgorithm } from '../digest.ts';
import { checkRevocation, checkRevocationOffline, revocationCheckInput, revocationSourcesOf, type RevocationCheckResult, type RevocationInput } from '../revocation/index.ts';

export type { RevocationInput } from '../revocation/index.ts';
import type { TrustAnchor, ValidationPolicy, ValidationReport } from '../types.ts';
import type { ParsedAnchor } from './certification-path.ts';
import { parseSignedData } from './parse-signed-data.ts';
import { parseCertificate, type ParsedCertificate } from './parsed-certificate.ts';
import { CHECK_ORDER } from './report-builder.ts';
import { timestampCoversSignature, validateSigner, type SignerSteps } from './verify-signer.ts';

/** Where revocation data comes from (SPEC §4: CRL first, then OCSP). */

export interface VerifyDetachedInput {
  /** DER ContentInfo(SignedData). */
  signature: Buffer;
  /** Digests of the content for the algorithms inspectSignature named. */
  contentDigests: Partial<Record<DigestAlgorithm, Buffer>>;
  trustAnchors: readonly TrustAnchor[];
  policy: ValidationPolicy;
  /** Validation time. */
  now: Date;
  /** Revocation sources; without any, policy.revocation `require` answers INDETERMINATE/TRY_LATER. */
  revocation?: RevocationInput;
  /** Anchors for the TSA certificates of signature time-stamps; default `trustAnchors`. */
  timestampTrustAnchors?: readonly TrustAnchor[];
  /**
   * Signature time-stamp tokens (DER ContentInfo, RFC 3161) kept beside the signature instead of
   * embedded in it, e.g. the gateway's stored evidence. Each token whose message imprint is the
   * digest of a SignerInfo's signature value (with the token's own hash) is verified exactly like
   * an embedded signatureTimeStampToken; a token that matches no SignerInfo is ignored with a warning.
   */
  signatureTimestamps?: readonly Uint8Array[];
}

function formatFailure(message: string, now: Date): ValidationReport {
  return {
    indication: 'TOTAL-FAILED',
    subIndication: 'FORMAT_FAILURE',
    signedBy: null,
    chain: [],
    trustAnchor: null,
    signingTime: null,
    bestSignatureTime: now.toISOString(),
    validationTime: now.toISOString(),
    digestAlgorithm: null,
    signatureAlgorithm: null,
    qualification: 'none',
    revocation: { checked: false, note: 'revocation was not reached' },
    revocationEvidence: { crls: [], ocsp: [] },
    timestamp: null,
    checks: CHECK_ORDER.map((id) => (id === 'format' ? { id, status: 'failed' as const, message } : { id, status: 'not-checked' as const })),
    errors: [message],
    warnings: [],
  };
}

type Prepared = { done: ValidationReport[] } | { pending: SignerSteps[]; unmatched: string[] };

function prepare(input: VerifyDetachedInput): Prepared {
  const parsed = parseSignedData(input.signature);
  if (!parsed.ok) return { done: [formatFailure(parsed.error.message, input.now)] };
  const sd = parsed.value;
  if (sd.signers.length === 0) return { done: [formatFailure('SignedData has no SignerInfo', input.now)] };
  const certificates: ParsedCertificate[] = [];
  for (const der of sd.certificates) {
    const c = parseCertificate(der);
    if (!c.ok) return { done: [formatFailure(`an embedded certificate is malformed: ${c.error.message}`, input.now)] };
    certificates.push(c.value);
  }
  const anchors: ParsedAnchor[] = [];
  for (const anchor of input.trustAnchors) {
    // A broken anchor is configuration, not signature input: it is simply unusable.
    const c = parseCertificate(anchor.certificate);
    if (c.ok) anchors.push({ cert: c.value, anchor });
  }
  const ctx = {
    signedData: sd,
    certificates,
    anchors,
    timestampAnchors: input.timestampTrustAnchors ?? input.trustAnchors,
    contentDigests: input.contentDigests,
    policy: input.policy,
    now: input.now,
    ...(input.signatureTimestamps === undefined ? {} : { detachedTimestamps: input.signatureTimestamps }),
  };
  const unmatched = (input.signatureTimestamps ?? [])
    .map((token, i) => ({ token, i }))
    .filter(({ token }) => !sd.signers.some((si) => timestampCoversSignature(token, si.signature)))
    .map(({ i }) => `detached time-stamp token ${i + 1} covers no signature value of this signature and was ignored`);
  return { pending: sd.signers.map((si) => validateSigner(si, ctx)), unmatched };
}

function withWarnings(report: ValidationReport, warnings: readonly string[]): ValidationReport {
  return warnings.length === 0 ? report : { ...report, warnings: [...report.warnings, ...warnings] };
}

/**
 * Validates a detached CMS signature (RFC 5652 §5.6) as CAdES-BES or CAdES-T (ETSI EN 319 122-1)
 * and reports per SignerInfo in the ETSI EN 319 102-1 vocabulary. An unparseable signature gives
 * exactly one TOTAL-FAILED/FORMAT_FAILURE report. Never throws on bad input.
 * Signature time-stamps come embedded or as `signatureTimestamps` kept beside the signature; a
 * verified one fixes the best signature time at its genTime, and the certificates and the
 * revocation data (freshness included) are then judged at that time, which is what lets stored
 * evidence verify years later. The TSA's path is checked for revocation at genTime first.
 * Synchronous and offline: revocation is decided from `revocation.crls` / `ocspResponses` only
 * (`revocation.network` is ignored; use {@link verifyDetachedAsync} to fetch).
 */
export function verifyDetached(input: VerifyDetachedInput): ValidationReport[] {
  const prepared = prepare(input);
  if ('done' in prepared) return prepared.done;
  const src = revocationSourcesOf(input.revocation, false);
  return prepared.pending.map((steps) => {
    let step = steps.next();
    while (step.done !== true) step = steps.next(src === null ? null : checkRevocationOffline(revocationCheckInput(input.revocation, src, step.value, input.now)));
    return withWarnings(step.value, prepared.unmatched);
  });
}

/**
 * {@link verifyDetached} that may also fetch revocation data over the network (CRL distribution
 * points, then OCSP from the AIA, RFC 5280 §4.2.1.13 / RFC 6960), within `revocation.network`'s
 * allow-list, timeout and size limit. The CRLs and OCSP responses used come back in each report's
 * `revocationEvidence`, to be stored with the message and given back as `crls` / `ocspResponses`
 * for a later offline validation.
 */
export async function verifyDetachedAsync(input: VerifyDetachedInput): Promise<ValidationReport[]> {
  const prepared = prepare(input);
  if ('done' in prepared) return prepared.done;
  const src = revocationSourcesOf(input.revocation, true);
  const reports: ValidationReport[] = [];
  for (const steps of prepared.pending) {
    let step = steps.next();
    while (step.done !== true) {
      const result: RevocationCheckResult | null = src === null ? null : await checkRevocation(revocationCheckInput(input.revocation, src, step.value, input.now));
      step = steps.next(result);
    }
    reports.push(withWarnings(step.value, prepared.unmatched));
  }
  return reports;
}
