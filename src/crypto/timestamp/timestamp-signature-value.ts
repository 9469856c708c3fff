/**
 * A signature time-stamp kept beside a signature instead of inside it (CAdES-T semantics, ETSI EN
 * 319 122-1 §5.3 / RFC 5126 §6.1.1: an RFC 3161 token whose imprint is the digest of a SignerInfo's
 * signature value), for signatures whose bytes must not change — a sender's `.p7s` that its
 * envelope already names, a receipt already written.
 */
import { X509Certificate, randomBytes } from 'node:crypto';
import * as pkijs from 'pkijs';
import { digestBytes, type DigestAlgorithm } from '../digest.ts';
import type { FetchFunction } from '../revocation/fetch.ts';
import type { CryptoResult, TimestampSummary, TrustAnchor } from '../types.ts';
import { requestTimestamp, type TimestampRequestErrorCode } from './request-timestamp.ts';
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
}

export interface SignatureValueTimestamp {
  /** DER ContentInfo of the time-stamp token. */
  token: Buffer;
  genTime: Date;
  /** As a validation report shows a verified signature time-stamp. */
  summary: TimestampSummary;
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
 * timeStamping EKU, chain to `trustAnchors` at genTime) before returning it.
 */
export async function timestampSignatureValue(input: TimestampSignatureValueInput): Promise<CryptoResult<SignatureValueTimestamp, TimestampRequestErrorCode | 'TIMESTAMP_INVALID'>> {
  const algorithm = input.digestAlgorithm ?? 'sha-256';
  const imprint = digestBytes(algorithm, input.signatureValue);
  const nonce = (input.random ?? randomBytes)(16);
  const token = await requestTimestamp({ digest: imprint, digestAlgorithm: algorithm, nonce, tsaUrl: input.tsaUrl, fetch: input.fetch, timeoutMs: input.timeoutMs });
  if (!token.ok) return token;
  const v = verifyTimestampToken({ tokenDer: token.value, expectedImprint: imprint, digestAlgorithm: algorithm, trustAnchors: input.trustAnchors, now: input.now, expectedNonce: nonce });
  if (!v.ok || v.genTime === null) return { ok: false, error: { code: 'TIMESTAMP_INVALID', message: `the TSA token does not verify: ${v.problems.join('; ')}` } };
  return {
    ok: true,
    value: {
      token: token.value,
      genTime: v.genTime,
      summary: { genTime: v.genTime.toISOString(), tsa: subjectOf(v.tsaCertificate), serialNumber: v.serialNumber, policy: v.policy, trustAnchor: v.trustAnchor, detached: true },
    },
  };
}
