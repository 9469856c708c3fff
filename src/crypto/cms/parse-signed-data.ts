/**
 * Reads a DER ContentInfo holding SignedData (RFC 5652 §3, §5) into the parts validation needs.
 * pkijs checks the structure; the embedded certificates are taken as raw bytes so that their
 * hashes (ESS) and signatures are computed over exactly what was received.
 */
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { OID } from '../oids.ts';
import type { CryptoResult } from '../types.ts';
import { createBytesMemo } from './bytes-memo.ts';
import { children, isContextTag, parseStrict, rawBytes } from './der.ts';
import { bytesOf, contentOf, readChildren, readOid, readTop, type Tlv } from './der-reader.ts';
import { OID_SIGNING_CERTIFICATE_V1 } from './ess-signing-certificate.ts';
import { parseCertificate } from './parsed-certificate.ts';

export type SignerIdentifier =
  | { kind: 'issuer-serial'; issuerDer: Buffer; serialValue: Buffer }
  | { kind: 'subject-key-id'; keyId: Buffer };

export interface SignedAttribute {
  type: string;
  values: asn1js.AsnType[];
}

export interface ParsedSignerInfo {
  sid: SignerIdentifier;
  digestAlgorithmOid: string;
  /** DER of the signed attributes re-tagged as SET OF (0x31): the signed bytes (RFC 5652 §5.4). */
  signedAttrsDer: Buffer | undefined;
  signedAttrs: SignedAttribute[];
  signatureAlgorithmOid: string;
  signatureAlgorithmParams: unknown;
  signature: Buffer;
  /** Unsigned attributes (RFC 5652 §5.3), each value as the exact bytes received (e.g. a CAdES-T time-stamp token). */
  unsignedAttrs: UnsignedAttribute[];
}

export interface UnsignedAttribute {
  type: string;
  valuesDer: Buffer[];
}

export interface ParsedSignedData {
  eContentType: string;
  hasEContent: boolean;
  digestAlgorithmOids: string[];
  /** DER of every X.509 certificate in SignedData.certificates, in order. */
  certificates: Buffer[];
  signers: ParsedSignerInfo[];
}

function signerIdentifier(sid: unknown): SignerIdentifier | null {
  if (sid instanceof pkijs.IssuerAndSerialNumber) {
    return {
      kind: 'issuer-serial',
      issuerDer: Buffer.from(sid.issuer.valueBeforeDecode),
      serialValue: Buffer.from(sid.serialNumber.valueBlock.valueHexView),
    };
  }
  if (sid instanceof asn1js.BaseBlock && isContextTag(sid, 0)) {
    const hex = (sid.valueBlock as { valueHexView?: Uint8Array }).valueHexView;
    if (hex !== undefined && hex.length > 0) return { kind: 'subject-key-id', keyId: Buffer.from(hex) };
  }
  return null;
}

type ParseResult = CryptoResult<ParsedSignedData, 'CMS_MALFORMED' | 'CMS_UNSUPPORTED'>;

/**
 * Parses `der` as ContentInfo(SignedData) (RFC 5652 §3, §5.1); errors for anything else or
 * anything malformed. The common shape (strict DER, no CRLs or unsigned attributes, no PSS
 * parameters) is read by offsets, which is fast; everything else goes through pkijs, which also
 * words the errors. Both give the same result for what the fast path accepts.
 */
export function parseSignedData(der: Uint8Array): ParseResult {
  // inspectSignature and then verifyDetached see the same buffer object: parse it once. The
  // bytes are compared too, in case the caller changed the buffer in between.
  const seen = lastParsed.get(der);
  if (seen !== undefined && seen.bytes.equals(der)) return seen.result;
  const result = parseSignedDataFast(der) ?? parseSignedDataWithPkijs(der);
  lastParsed.set(der, { bytes: Buffer.from(der), result });
  return result;
}

const lastParsed = new WeakMap<Uint8Array, { bytes: Buffer; result: ParseResult }>();

/** The pkijs path; exported so tests can check that both paths agree. */
export function parseSignedDataWithPkijs(der: Uint8Array): ParseResult {
  const malformed = (message: string): CryptoResult<ParsedSignedData, 'CMS_MALFORMED'> => ({
    ok: false,
    error: { code: 'CMS_MALFORMED', message },
  });
  const top = parseStrict(der);
  if (top === null) return malformed('not a single DER/BER element');
  let contentInfo: pkijs.ContentInfo;
  let signedData: pkijs.SignedData;
  try {
    contentInfo = new pkijs.ContentInfo({ schema: top });
  } catch {
    return malformed('not a CMS ContentInfo');
  }
  if (contentInfo.contentType !== OID.signedData) {
    return { ok: false, error: { code: 'CMS_UNSUPPORTED', message: `content type ${contentInfo.contentType} is not SignedData` } };
  }
  try {
    signedData = new pkijs.SignedData({ schema: contentInfo.content });
  } catch (e) {
    return malformed(`SignedData is malformed: ${e instanceof Error ? e.message : String(e)}`);
  }

  const certificates: Buffer[] = [];
  const sdBlock = children(children(top)[1] ?? top)[0];
  for (const field of sdBlock === undefined ? [] : children(sdBlock)) {
    if (!isContextTag(field, 0)) continue;
    for (const c of children(field)) {
      if (c instanceof asn1js.Sequence) certificates.push(rawBytes(c));
    }
  }

  const signers: ParsedSignerInfo[] = [];
  for (const si of signedData.signerInfos) {
    const sid = signerIdentifier(si.sid);
    if (sid === null) return malformed('SignerInfo has an unreadable signer identifier');
    const attrs = si.signedAttrs;
    signers.push({
      sid,
      digestAlgorithmOid: si.digestAlgorithm.algorithmId,
      signedAttrsDer: attrs === undefined ? undefined : Buffer.from(attrs.encodedValue),
      signedAttrs: (attrs?.attributes ?? []).map((a) => ({ type: a.type, values: [...(a.values as asn1js.AsnType[])] })),
      signatureAlgorithmOid: si.signatureAlgorithm.algorithmId,
      signatureAlgorithmParams: si.signatureAlgorithm.algorithmParams,
      signature: Buffer.from(si.signature.valueBlock.valueHexView),
      unsignedAttrs: (si.unsignedAttrs?.attributes ?? []).map((a) => ({ type: a.type, valuesDer: (a.values as asn1js.AsnType[]).map((v) => rawBytes(v)) })),
    });
  }
  return {
    ok: true,
    value: {
      eContentType: signedData.encapContentInfo.eContentType,
      hasEContent: signedData.encapContentInfo.eContent !== undefined,
      digestAlgorithmOids: signedData.digestAlgorithms.map((a) => a.algorithmId),
      certificates,
      signers,
    },
  };
}

const T_INTEGER = 0x02;
const T_OCTET_STRING = 0x04;
const T_NULL = 0x05;
const T_SEQUENCE = 0x30;
const T_SET = 0x31;
const T_CONTEXT0_PRIMITIVE = 0x80;
const T_CONTEXT0 = 0xa0;

/** AlgorithmIdentifier (RFC 5280 §4.1.1.2) with absent or NULL parameters: its OID, else `null`. */
function plainAlgorithm(buf: Uint8Array, tlv: Tlv | undefined): string | null {
  if (tlv === undefined || tlv.tag !== T_SEQUENCE) return null;
  const parts = readChildren(buf, tlv);
  if (parts === null || parts.length < 1 || parts.length > 2) return null;
  const [oid, params] = parts;
  if (params !== undefined && !(params.tag === T_NULL && params.end === params.contentStart)) return null;
  return oid === undefined ? null : readOid(buf, oid);
}

// The issuer Name of a SignerInfo is one of a handful (the CAs), and whether bytes form a Name
// depends on nothing else: asked once per distinct Name.
const nameMemo = createBytesMemo<boolean>(256);

/** Name ::= SEQUENCE OF SET OF SEQUENCE { type OID, value ANY } (RFC 5280 §4.1.2.4), values read by asn1js. */
function isName(buf: Uint8Array, tlv: Tlv): boolean {
  const name = buf.subarray(tlv.start, tlv.end);
  return nameMemo.get(name, () => isNameUncached(name, { tag: tlv.tag, start: 0, contentStart: tlv.contentStart - tlv.start, end: tlv.end - tlv.start }));
}

function isNameUncached(buf: Uint8Array, tlv: Tlv): boolean {
  for (const rdn of readChildren(buf, tlv) ?? [null]) {
    if (rdn?.tag !== T_SET) return false;
    for (const atv of readChildren(buf, rdn) ?? [null]) {
      const parts = atv?.tag === T_SEQUENCE ? readChildren(buf, atv) : null;
      const [type, value] = parts ?? [];
      if (parts?.length !== 2 || type === undefined || value === undefined || readOid(buf, type) === null) return false;
      if (parseStrict(buf.subarray(value.start, value.end)) === null) return false;
    }
  }
  return true;
}

// asn1js takes tens of microseconds even for a shallow value, and most attribute values recur:
// contentType is always id-data, every signature of one signer carries the same
// signing-certificate(-v2) value (the deepest one: it holds a whole Name), and the signatures made
// in the same second (a letter's file and envelope signatures) share their signingTime. Only
// messageDigest is new every time, so it is not worth remembering. The memoised trees are shared:
// like parsed certificates, they are read-only.
const RECURRING_ATTRIBUTES = new Set<string>([OID.contentType, OID.signingTime, OID.signingCertificateV2, OID_SIGNING_CERTIFICATE_V1]);
const attributeValueMemo = createBytesMemo<asn1js.AsnType | null>(256);

function readSignerInfo(buf: Uint8Array, tlv: Tlv): ParsedSignerInfo | null {
  if (tlv.tag !== T_SEQUENCE) return null;
  const parts = readChildren(buf, tlv);
  // version, sid, digestAlgorithm, [0] signedAttrs, signatureAlgorithm, signature: unsigned
  // attributes (and a SignerInfo without signed attributes) are left to pkijs.
  if (parts === null || parts.length !== 6) return null;
  const [version, sidTlv, digestAlg, attrsTlv, sigAlg, signature] = parts;
  if (version?.tag !== T_INTEGER || sidTlv === undefined || attrsTlv?.tag !== T_CONTEXT0 || signature?.tag !== T_OCTET_STRING) return null;
  let sid: SignerIdentifier;
  if (sidTlv.tag === T_SEQUENCE) {
    const issuerSerial = readChildren(buf, sidTlv);
    const [issuer, serial] = issuerSerial ?? [];
    if (issuerSerial?.length !== 2 || issuer?.tag !== T_SEQUENCE || serial?.tag !== T_INTEGER || serial.end === serial.contentStart) return null;
    if (!isName(buf, issuer)) return null;
    sid = { kind: 'issuer-serial', issuerDer: bytesOf(buf, issuer), serialValue: contentOf(buf, serial) };
  } else if (sidTlv.tag === T_CONTEXT0_PRIMITIVE && sidTlv.end > sidTlv.contentStart) {
    sid = { kind: 'subject-key-id', keyId: contentOf(buf, sidTlv) };
  } else {
    return null;
  }
  const digestAlgorithmOid = plainAlgorithm(buf, digestAlg);
  const signatureAlgorithmOid = plainAlgorithm(buf, sigAlg);
  if (digestAlgorithmOid === null || signatureAlgorithmOid === null || signatureAlgorithmOid === OID.rsassaPss) return null;

  const attributes = readChildren(buf, attrsTlv);
  if (attributes === null || attributes.length === 0) return null;
  const signedAttrs: SignedAttribute[] = [];
  for (const a of attributes) {
    const [type, set] = a.tag === T_SEQUENCE ? (readChildren(buf, a) ?? []) : [];
    const oid = type === undefined ? null : readOid(buf, type);
    const values = set?.tag === T_SET ? readChildren(buf, set) : null;
    if (oid === null || values === null || values.length === 0) return null;
    const parsedValues: asn1js.AsnType[] = [];
    for (const v of values) {
      const bytes = buf.subarray(v.start, v.end);
      const value = RECURRING_ATTRIBUTES.has(oid) ? attributeValueMemo.get(bytes, () => parseStrict(bytes)) : parseStrict(bytes);
      if (value === null) return null;
      parsedValues.push(value);
    }
    signedAttrs.push({ type: oid, values: parsedValues });
  }
  const signedAttrsDer = bytesOf(buf, attrsTlv);
  // RFC 5652 §5.4: the signature covers the EXPLICIT SET OF encoding, not the [0] IMPLICIT one.
  signedAttrsDer[0] = T_SET;
  return {
    sid,
    digestAlgorithmOid,
    signedAttrsDer,
    signedAttrs,
    signatureAlgorithmOid,
    signatureAlgorithmParams: undefined,
    signature: contentOf(buf, signature),
    unsignedAttrs: [],
  };
}

/** The offset-based path; `null` when the input is not of the common shape it reads. */
export function parseSignedDataFast(der: Uint8Array): ParseResult | null {
  const top = readTop(der);
  const info = top?.tag === T_SEQUENCE ? readChildren(der, top) : null;
  if (info?.length !== 2) return null;
  const [typeTlv, explicit] = info;
  if (typeTlv === undefined || readOid(der, typeTlv) !== OID.signedData || explicit?.tag !== T_CONTEXT0) return null;
  const inner = readChildren(der, explicit);
  const sdTlv = inner?.length === 1 ? inner[0] : undefined;
  const fields = sdTlv?.tag === T_SEQUENCE ? readChildren(der, sdTlv) : null;
  if (fields === null || fields.length < 4) return null;
  const [version, digestSet, encap] = fields;
  const certsTlv = fields.length === 5 ? fields[3] : undefined;
  const signerSet = fields[fields.length - 1];
  // CRLs ([1]) and anything else unusual are left to pkijs.
  if (fields.length > 5 || (fields.length === 5 && certsTlv?.tag !== T_CONTEXT0)) return null;
  if (version?.tag !== T_INTEGER || digestSet?.tag !== T_SET || encap?.tag !== T_SEQUENCE || signerSet?.tag !== T_SET) return null;

  const digestAlgorithmOids: string[] = [];
  for (const alg of readChildren(der, digestSet) ?? [null]) {
    const oid = alg === null ? null : plainAlgorithm(der, alg);
    if (oid === null) return null;
    digestAlgorithmOids.push(oid);
  }

  const encapParts = readChildren(der, encap);
  const [eTypeTlv, eContent] = encapParts ?? [];
  const eContentType = eTypeTlv === undefined ? null : readOid(der, eTypeTlv);
  if (eContentType === null || encapParts === null || encapParts.length > 2) return null;
  if (eContent !== undefined) {
    const octets = eContent.tag === T_CONTEXT0 ? readChildren(der, eContent) : null;
    if (octets?.length !== 1 || octets[0]?.tag !== T_OCTET_STRING) return null;
  }

  const certificates: Buffer[] = [];
  for (const c of certsTlv === undefined ? [] : (readChildren(der, certsTlv) ?? [null])) {
    if (c === null || c.tag !== T_SEQUENCE) return null;
    const bytes = bytesOf(der, c);
    // pkijs refuses a SignedData whose certificates do not parse; the cache makes this cheap.
    if (!parseCertificate(bytes).ok) return null;
    certificates.push(bytes);
  }

  const signers: ParsedSignerInfo[] = [];
  for (const s of readChildren(der, signerSet) ?? [null]) {
    const signer = s === null ? null : readSignerInfo(der, s);
    if (signer === null) return null;
    signers.push(signer);
  }
  return { ok: true, value: { eContentType, hasEContent: eContent !== undefined, digestAlgorithmOids, certificates, signers } };
}
