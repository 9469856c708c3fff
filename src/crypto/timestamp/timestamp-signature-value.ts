/**
 * A signature time-stamp kept beside a signature instead of inside it (CAdES-T semantics, ETSI EN
 * 319 122-1 §5.3 / RFC 5126 §6.1.1: an RFC 3161 token whose imprint is the digest of a SignerInfo's
 * signature value), for signatures whose bytes must not change — a sender's `.p7s` that its
 * envelope already names, a receipt already written.
 */
import { X509Certificate, randomBytes } from 'node:crypto';
import * as pkijs from 'pkijs';
import { digestBytes, type DigestAlgorithm } from '../digest.ts';
import { checkRevocation, revocationCheckInput, revocationSourcesOf, type RevocationCheckResult, type RevocationInput } from '../revocation/index.ts';
import type { FetchFunction } from '../revocation/fetch.ts';
import type { CryptoResult, TimestampSummary, TrustAnchor } from '../types.ts';
import { requestTimestamp, type TimestampRequestErrorCode } from './request-timestamp.ts';
import { judgeTsaRevocation, planTsaRevocation } from './tsa-revocation.ts';
import { verifyTimestampToken } from './verify-timestamp-token.ts';

/**
 * The signature value (RFC 5652 §5.3 `signature` OCTET STRING content) of every SignerInfo of a
 * CMS SignedData, in SignerInfo order; the input of a signature time-stamp's imprint.
 */
export function signatureValuesOf(signature: Uint8Array): CryptoResult<Buffer[], 'CMS_UNREADABLE'> {
  try {
    const signed = new pkijs.SignedData({ schema: pkijs.ContentInfo.fromBER(Buffer.from(signature)).content });
    const values = signed.signerInfos.map((si) => Buffer.from(si.signature.valueBlock.valueHexView));
    if (values.length === 0 || values.some((v) => v.length === 0)) return { ok: false, error: { code: 'CMS_UNREADABLE', message: 'the SignedData has no readable signature value' } };
    return { ok: true, value: values };
  } catch {
    return { ok: false, error: { code: 'CMS_UNREADABLE', message: 'not a CMS SignedData' } };
  }
}

/** Where the TSA path's revocation data comes from, and the validation policy's revocation mode. */
export interface TsaRevocationInput extends RevocationInput {
  /** `skip`: the TSA path is not checked (as the validator does under that policy). */
  mode: 'require' | 'skip';
}

export type TimestampSignatureValueErrorCode = TimestampRequestErrorCode | 'TIMESTAMP_INVALID' | 'TSA_REVOKED' | 'TSA_REVOCATION_UNAVAILABLE';

export interface TimestampSignatureValueInput {
  signatureValue: Uint8Array;
  tsaUrl: string;
  fetch: FetchFunction;
  timeoutMs: number;
  /** Anchors the TSA certificate must chain to: a token that does not verify is never returned. */
  trustAnchors: readonly TrustAnchor[];
  now: Date;
  /** Imprint hash (default sha-256). */
  digestAlgorithm?: DigestAlgorithm;
  random?: (size: number) => Buffer;
  /**
   * Checks the TSA's certification path for revocation at genTime as the validator will
   * (ETSI EN 319 102-1 §5.2.6, RFC 3161 §4), and returns the data that decided it. Absent: not
   * checked (the token's note says so).
   */
  revocation?: TsaRevocationInput;
}

export interface SignatureValueTimestamp {
  /** DER ContentInfo of the time-stamp token. */
  token: Buffer;
  genTime: Date;
  /** As a validation report shows a verified signature time-stamp. */
  summary: TimestampSummary;
  /**
   * The CRLs and OCSP responses (DER) that established the TSA path's status at genTime: to be
   * kept with the token, so that it verifies offline later with revocation required. Empty when
   * the path was not checked.
   */
  revocationEvidence: { crls: Buffer[]; ocsp: Buffer[] };
  /** How the TSA path's revocation was judged, or why it was not checked. */
  revocationNote: string;
  /**
   * The verified certification path of the TSA (DER, TSA certificate first, trust anchor last):
   * e.g. for a CRL cache to keep the TSA's distribution points fresh.
   */
  tsaPath: Buffer[];
}

function subjectOf(der: Buffer | null): string {
  if (der === null) return '(unknown TSA)';
  try {
    return new X509Certificate(der).subject.replace(/\n/gu, ', ');
  } catch {
    return '(unknown TSA)';
  }
}


/**
 * Requests an RFC 3161 token over `signatureValue` (imprint = its digest, with a nonce) and
 * verifies it like the validator does (imprint, nonce, TSA certificate with the critical
 * timeStamping EKU, chain to `trustAnchors` at genTime) before returning it. With `revocation`
 * (policy `require`), the TSA path is also checked for revocation at genTime, CRL first, then
 * OCSP, fetching within `revocation.network`'s allow-list (ETSI EN 319 102-1 §5.2.6, RFC 3161 §4
 * "TSA compromise"): a TSA certificate revoked at or before genTime gives TSA_REVOKED, a status
 * that cannot be established TSA_REVOCATION_UNAVAILABLE — the same judgement the validator makes
 * of the token later — and the CRLs / OCSP responses used come back as `revocationEvidence`.
 */
export async function timestampSignatureValue(input: TimestampSignatureValueInput): Promise<CryptoResult<SignatureValueTimestamp, TimestampSignatureValueErrorCode>> {
  const algorithm = input.digestAlgorithm ?? 'sha-256';
  const imprint = digestBytes(algorithm, input.signatureValue);
  const nonce = (input.random ?? randomBytes)(16);
  const token = await requestTimestamp({ digest: imprint, digestAlgorithm: algorithm, nonce, tsaUrl: input.tsaUrl, fetch: input.fetch, timeoutMs: input.timeoutMs });
  if (!token.ok) return token;
  const v = verifyTimestampToken({ tokenDer: token.value, expectedImprint: imprint, digestAlgorithm: algorithm, trustAnchors: input.trustAnchors, now: input.now, expectedNonce: nonce });
  if (!v.ok || v.genTime === null) return { ok: false, error: { code: 'TIMESTAMP_INVALID', message: `the TSA token does not verify: ${v.problems.join('; ')}` } };
  const genTime = v.genTime;
  const tsa = subjectOf(v.tsaCertificate);
  const revocationEvidence: SignatureValueTimestamp['revocationEvidence'] = { crls: [], ocsp: [] };
  let revocationNote = 'TSA certificate revocation not checked (no revocation input)';
  const r = input.revocation;
  if (r !== undefined) {
    const plan = planTsaRevocation(v.path, r.mode);
    if (!plan.check) revocationNote = plan.note;
    else {
      const src = revocationSourcesOf(r, true);
      const result: RevocationCheckResult | null = src === null ? null : await checkRevocation(revocationCheckInput(r, src, { chain: plan.chain, at: genTime }, input.now));
      const judged = judgeTsaRevocation({ name: 'the new signature time-stamp', tsa, genTime, result });
      if (judged.status === 'revoked') return { ok: false, error: { code: 'TSA_REVOKED', message: judged.message } };
      if (judged.status === 'try-later') return { ok: false, error: { code: 'TSA_REVOCATION_UNAVAILABLE', message: judged.message } };
      revocationNote = [judged.note, ...judged.warnings].join('; ');
      revocationEvidence.crls.push(...(result?.evidence.crls ?? []));
      revocationEvidence.ocsp.push(...(result?.evidence.ocsp ?? []));
    }
  }
  return {
    ok: true,
    value: {
      token: token.value,
      genTime,
      summary: { genTime: genTime.toISOString(), tsa, serialNumber: v.serialNumber, policy: v.policy, trustAnchor: v.trustAnchor, detached: true },
      revocationEvidence,
      revocationNote,
      tsaPath: v.path.map((c) => Buffer.from(c)),
    },
  };
}
