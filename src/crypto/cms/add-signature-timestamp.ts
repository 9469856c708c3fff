/**
 * CAdES-T (ETSI EN 319 122-1 §5.3, RFC 5126 §6.1.1): adds an RFC 3161 signatureTimeStampToken as
 * an unsigned attribute of every SignerInfo. Only the unsigned attributes change: the signed
 * attributes, the signature value and everything else keep their exact bytes, so the signature
 * still verifies and the token's imprint (the digest of the signature value) stays true.
 */
import { randomBytes } from 'node:crypto';
import { digestBytes, type DigestAlgorithm } from '../digest.ts';
import { oid, seq, tlv } from '../der-writer.ts';
import { OID } from '../oids.ts';
import type { FetchFunction } from '../revocation/index.ts';
import { requestTimestamp, verifyTimestampToken, type TimestampRequestErrorCode } from '../timestamp/index.ts';
import type { CryptoResult, TrustAnchor } from '../types.ts';
import { bytesOf, contentOf, readChildren, readOid, readTop, type Tlv } from './der-reader.ts';

export interface AddSignatureTimestampInput {
  /** DER ContentInfo(SignedData), e.g. from signDetached. */
  signature: Buffer;
  tsaUrl: string;
  fetch: FetchFunction;
  timeoutMs: number;
  /** Anchors the TSA certificate must chain to: a token that does not verify is never attached. */
  tsaTrustAnchors: readonly TrustAnchor[];
  /** For checking the token's genTime and the TSA certificate's validity. */
  now: Date;
  /** Imprint hash (default sha-256). */
  digestAlgorithm?: DigestAlgorithm;
  /** Nonce source (default node:crypto randomBytes). */
  random?: (size: number) => Buffer;
  /** Requested TSA policy OID. */
  policy?: string;
  maxBytes?: number;
}

export type AddSignatureTimestampErrorCode = TimestampRequestErrorCode | 'CMS_NOT_DER' | 'TIMESTAMP_INVALID';

export interface AddedTimestamp {
  /** The CMS with the token(s) added. */
  signature: Buffer;
  /** genTime of each SignerInfo's new token, in SignerInfo order. */
  genTimes: Date[];
  tokens: Buffer[];
}

const T_SEQUENCE = 0x30;
const T_SET = 0x31;
const T_OCTET_STRING = 0x04;
const T_CONTEXT0 = 0xa0;
const T_CONTEXT1 = 0xa1;


/** SET OF in DER order (X.690 §11.6) under the given identifier octet. */
function sortedSet(tag: number, items: readonly Buffer[]): Buffer {
  return tlv(tag, Buffer.concat([...items].sort(Buffer.compare)));
}

interface SignerLayout {
  /** The SignerInfo fields up to and including the signature value. */
  kept: Buffer[];
  /** Unsigned attributes already present (whole Attribute elements). */
  existing: Buffer[];
  signatureValue: Buffer;
}

interface Layout {
  contentType: Buffer;
  /** The SignedData fields before signerInfos. */
  head: Buffer[];
  signers: SignerLayout[];
}

function readLayout(der: Buffer): CryptoResult<Layout, 'CMS_NOT_DER'> {
  const fail = (message: string): CryptoResult<Layout, 'CMS_NOT_DER'> => ({ ok: false, error: { code: 'CMS_NOT_DER', message } });
  const top = readTop(der);
  const info = top?.tag === T_SEQUENCE ? readChildren(der, top) : null;
  const [typeTlv, explicit] = info ?? [];
  if (info?.length !== 2 || typeTlv === undefined || readOid(der, typeTlv) !== OID.signedData || explicit?.tag !== T_CONTEXT0) {
    return fail('not a DER ContentInfo holding SignedData');
  }
  const sdTlv = readChildren(der, explicit)?.[0];
  const fields = sdTlv?.tag === T_SEQUENCE ? readChildren(der, sdTlv) : null;
  const signerSet = fields?.[fields.length - 1];
  const signerTlvs = signerSet?.tag === T_SET ? readChildren(der, signerSet) : null;
  if (fields === null || signerSet === undefined || signerTlvs === null || signerTlvs.length === 0) return fail('SignedData has no readable SignerInfos');
  const signers: SignerLayout[] = [];
  for (const [index, siTlv] of signerTlvs.entries()) {
    const parts: Tlv[] | null = siTlv.tag === T_SEQUENCE ? readChildren(der, siTlv) : null;
    if (parts === null) return fail(`SignerInfo ${index + 1} is not DER`);
    const last = parts[parts.length - 1];
    const unsigned = last?.tag === T_CONTEXT1 ? last : undefined;
    const kept = unsigned === undefined ? parts : parts.slice(0, -1);
    const signatureTlv = kept[kept.length - 1];
    if (signatureTlv?.tag !== T_OCTET_STRING) return fail(`SignerInfo ${index + 1} has no signature value where RFC 5652 §5.3 puts it`);
    const existing = unsigned === undefined ? [] : readChildren(der, unsigned);
    if (existing === null) return fail(`SignerInfo ${index + 1} unsigned attributes are not DER`);
    signers.push({ kept: kept.map((p) => bytesOf(der, p)), existing: existing.map((a) => bytesOf(der, a)), signatureValue: contentOf(der, signatureTlv) });
  }
  return { ok: true, value: { contentType: bytesOf(der, typeTlv), head: fields.slice(0, -1).map((f) => bytesOf(der, f)), signers } };
}

function assemble(layout: Layout, tokens: readonly Buffer[]): Buffer {
  const signers = layout.signers.map((si, i) => {
    const token = tokens[i];
    if (token === undefined) return tlv(T_SEQUENCE, Buffer.concat([...si.kept, ...(si.existing.length === 0 ? [] : [sortedSet(T_CONTEXT1, si.existing)])]));
    const attribute = seq(oid(OID.signatureTimeStampToken), tlv(T_SET, token));
    return tlv(T_SEQUENCE, Buffer.concat([...si.kept, sortedSet(T_CONTEXT1, [...si.existing, attribute])]));
  });
  // The SignerInfos keep their order: verifiers (and the reports) refer to them by position.
  const signedData = tlv(T_SEQUENCE, Buffer.concat([...layout.head, tlv(T_SET, Buffer.concat(signers))]));
  return seq(layout.contentType, tlv(T_CONTEXT0, signedData));
}

/**
 * Adds `tokens[i]` (DER ContentInfo time-stamp tokens) as the signatureTimeStampToken unsigned
 * attribute of SignerInfo `i`, without checking them: for tokens obtained and verified elsewhere
 * (and for negative tests). Every other byte of the SignerInfos stays as it was.
 */
export function attachSignatureTimestampTokens(signature: Buffer, tokens: readonly Buffer[]): CryptoResult<Buffer, 'CMS_NOT_DER'> {
  const layout = readLayout(signature);
  if (!layout.ok) return layout;
  return { ok: true, value: assemble(layout.value, tokens) };
}

/**
 * Requests a time-stamp over each SignerInfo's signature value from `tsaUrl` (RFC 3161 §3.4),
 * verifies the token (imprint, nonce, TSA certificate with the critical timeStamping EKU, chain to
 * `tsaTrustAnchors` at genTime) and returns the CMS with the token added as the
 * id-aa-signatureTimeStampToken (1.2.840.113549.1.9.16.2.14) unsigned attribute. Existing unsigned
 * attributes (an earlier token) are kept. Needs strict DER input (what signDetached and
 * `openssl cms -sign -outform DER` write); BER input gives CMS_NOT_DER.
 */
export async function addSignatureTimestamp(input: AddSignatureTimestampInput): Promise<CryptoResult<AddedTimestamp, AddSignatureTimestampErrorCode>> {
  const layout = readLayout(input.signature);
  if (!layout.ok) return layout;
  const algorithm = input.digestAlgorithm ?? 'sha-256';
  const random = input.random ?? randomBytes;
  const genTimes: Date[] = [];
  const tokens: Buffer[] = [];
  for (const si of layout.value.signers) {
    const imprint = digestBytes(algorithm, si.signatureValue);
    const nonce = random(16);
    const token = await requestTimestamp({
      digest: imprint,
      digestAlgorithm: algorithm,
      nonce,
      tsaUrl: input.tsaUrl,
      fetch: input.fetch,
      timeoutMs: input.timeoutMs,
      ...(input.policy === undefined ? {} : { policy: input.policy }),
      ...(input.maxBytes === undefined ? {} : { maxBytes: input.maxBytes }),
    });
    if (!token.ok) return token;
    const verified = verifyTimestampToken({
      tokenDer: token.value,
      expectedImprint: imprint,
      digestAlgorithm: algorithm,
      trustAnchors: input.tsaTrustAnchors,
      now: input.now,
      expectedNonce: nonce,
    });
    if (!verified.ok || verified.genTime === null) {
      return { ok: false, error: { code: 'TIMESTAMP_INVALID', message: `the TSA token does not verify: ${verified.problems.join('; ')}` } };
    }
    genTimes.push(verified.genTime);
    tokens.push(token.value);
  }
  return { ok: true, value: { signature: assemble(layout.value, tokens), genTimes, tokens } };
}
