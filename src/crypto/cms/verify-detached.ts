/** Verification of detached CMS signatures into ETSI EN 319 102-1 validation reports. */
import type { DigestAlgorithm } from '../digest.ts';
import type { TrustAnchor, ValidationPolicy, ValidationReport } from '../types.ts';
import type { ParsedAnchor } from './certification-path.ts';
import { parseSignedData } from './parse-signed-data.ts';
import { parseCertificate, type ParsedCertificate } from './parsed-certificate.ts';
import { CHECK_ORDER } from './report-builder.ts';
import { verifySigner } from './verify-signer.ts';

export interface VerifyDetachedInput {
  /** DER ContentInfo(SignedData). */
  signature: Buffer;
  /** Digests of the content for the algorithms inspectSignature named. */
  contentDigests: Partial<Record<DigestAlgorithm, Buffer>>;
  trustAnchors: readonly TrustAnchor[];
  policy: ValidationPolicy;
  /** Validation time. */
  now: Date;
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
    checks: CHECK_ORDER.map((id) => (id === 'format' ? { id, status: 'failed' as const, message } : { id, status: 'not-checked' as const })),
    errors: [message],
    warnings: [],
  };
}

/**
 * Validates a detached CMS signature (RFC 5652 §5.6) as CAdES-BES (ETSI EN 319 122-1) and reports
 * per SignerInfo in the ETSI EN 319 102-1 vocabulary. An unparseable signature gives exactly one
 * TOTAL-FAILED/FORMAT_FAILURE report. Never throws on bad input.
 */
export function verifyDetached(input: VerifyDetachedInput): ValidationReport[] {
  const parsed = parseSignedData(input.signature);
  if (!parsed.ok) return [formatFailure(parsed.error.message, input.now)];
  const sd = parsed.value;
  if (sd.signers.length === 0) return [formatFailure('SignedData has no SignerInfo', input.now)];
  const certificates: ParsedCertificate[] = [];
  for (const der of sd.certificates) {
    const c = parseCertificate(der);
    if (!c.ok) return [formatFailure(`an embedded certificate is malformed: ${c.error.message}`, input.now)];
    certificates.push(c.value);
  }
  const anchors: ParsedAnchor[] = [];
  for (const anchor of input.trustAnchors) {
    // A broken anchor is configuration, not signature input: it is simply unusable.
    const c = parseCertificate(anchor.certificate);
    if (c.ok) anchors.push({ cert: c.value, anchor });
  }
  return sd.signers.map((si) =>
    verifySigner(si, { signedData: sd, certificates, anchors, contentDigests: input.contentDigests, policy: input.policy, now: input.now }),
  );
}
