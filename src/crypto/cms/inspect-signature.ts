/** A first look at a signature, so the caller knows which digests of the content to compute. */
import { digestAlgorithmFromOid, type DigestAlgorithm } from '../digest.ts';
import type { CryptoResult } from '../types.ts';
import { parseSignedData } from './parse-signed-data.ts';

/**
 * Names the digest algorithms the SignerInfos use (RFC 5652 §5.3) and counts signers.
 * `CMS_MALFORMED` for bytes that are not a SignedData; `CMS_UNSUPPORTED` for a SignedData this
 * gateway cannot verify (attached content, no signers, a digest algorithm it does not know).
 */
export function inspectSignature(
  der: Buffer,
): CryptoResult<{ digestAlgorithms: DigestAlgorithm[]; signerCount: number }, 'CMS_MALFORMED' | 'CMS_UNSUPPORTED'> {
  const parsed = parseSignedData(der);
  if (!parsed.ok) return parsed;
  const sd = parsed.value;
  const unsupported = (message: string) => ({ ok: false as const, error: { code: 'CMS_UNSUPPORTED' as const, message } });
  if (sd.hasEContent) return unsupported('the signature is attached (encapsulates its content), a detached one is expected');
  if (sd.signers.length === 0) return unsupported('SignedData has no SignerInfo');
  const algorithms: DigestAlgorithm[] = [];
  for (const s of sd.signers) {
    const alg = digestAlgorithmFromOid(s.digestAlgorithmOid);
    if (alg === undefined) return unsupported(`digest algorithm ${s.digestAlgorithmOid} is not supported`);
    if (!algorithms.includes(alg)) algorithms.push(alg);
  }
  return { ok: true, value: { digestAlgorithms: algorithms, signerCount: sd.signers.length } };
}
