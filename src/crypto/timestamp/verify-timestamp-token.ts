/**
 * Verification of an RFC 3161 time-stamp token (a CMS SignedData over a TSTInfo) with node:crypto:
 * the signature over the signed attributes (RFC 5652 §5.4), the ESS signing-certificate binding
 * (RFC 3161 §2.4.1, RFC 5035), the message imprint, the TSA certificate's critical
 * id-kp-timeStamping EKU (RFC 3161 §2.3) and its chain to a trust anchor at genTime.
 */
import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { digestAlgorithmFromOid, digestAlgorithmOid, digestBytes, type DigestAlgorithm } from '../digest.ts';
import { OID } from '../oids.ts';
import { isIssuedBy, normalizeSerial, readCertificate, type CertificateFacts } from '../revocation/certificate-facts.ts';
import { signatureProblem } from '../revocation/signature-check.ts';
import type { TrustAnchor } from '../types.ts';
import { EXTENDED_KEY_USAGE_OIDS } from '../x509-issue.ts';

const OID_TST_INFO = '1.2.840.113549.1.9.16.1.4';
const OID_SIGNING_CERTIFICATE_V1 = '1.2.840.113549.1.9.16.2.12';
const OID_SHA1 = '1.3.14.3.2.26';
const MAX_PATH = 8;
const KU_DIGITAL_SIGNATURE = 0;
const KU_NON_REPUDIATION = 1;
const KU_KEY_CERT_SIGN = 5;

export interface VerifyTimestampTokenInput {
  /** DER ContentInfo (the timeStampToken). */
  tokenDer: Uint8Array;
  /** The digest the token must bind: for CAdES-T, of the SignerInfo signature value (RFC 5126 §6.1.1). */
  expectedImprint: Uint8Array;
  digestAlgorithm: DigestAlgorithm;
  trustAnchors: readonly TrustAnchor[];
  now: Date;
  /** TSA (and intermediate) certificates known locally, for tokens that do not carry them. */
  extraCertificates?: readonly Uint8Array[];
  /** The nonce of the request, when the token was just requested. */
  expectedNonce?: Uint8Array;
  /** Tolerated clock difference for a genTime in the future; default 300. */
  skewSeconds?: number;
}

export interface TimestampVerification {
  ok: boolean;
  genTime: Date | null;
  /** DER of the TSA certificate that signed the token, when found. */
  tsaCertificate: Buffer | null;
  policy: string | null;
  /** Hex serial number of the token. */
  serialNumber: string | null;
  /** Label of the trust anchor the TSA chains to. */
  trustAnchor: string | null;
  /**
   * DER of the TSA's certification path, TSA certificate first, trust anchor last, when one was
   * found: for checking the TSA certificates' revocation at genTime.
   */
  path: Buffer[];
  problems: string[];
}

function attrValues(attrs: pkijs.SignedAndUnsignedAttributes | undefined, type: string): unknown[] | undefined {
  const found = attrs?.attributes.filter((a) => a.type === type) ?? [];
  if (found.length !== 1) return undefined;
  return found[0]?.values;
}

function sidMatches(sid: unknown, cert: CertificateFacts): boolean {
  if (sid instanceof pkijs.IssuerAndSerialNumber) {
    return normalizeSerial(sid.serialNumber.valueBlock.valueHexView).equals(cert.serial) && Buffer.from(sid.issuer.toSchema().toBER()).equals(cert.issuerDer);
  }
  if (sid instanceof asn1js.Primitive) {
    // [0] SubjectKeyIdentifier: compared with the key identifier derived from the key (RFC 5280 §4.2.1.2 (1)).
    const ski = Buffer.from(sid.valueBlock.valueHexView);
    return ski.equals(createHash('sha1').update(cert.subjectPublicKeyBits).digest());
  }
  return false;
}

/** The hash and value of the first ESSCertID(v2) (RFC 2634 §5.4, RFC 5035 §3): it identifies the signer. */
// Streebog (GOST TSAs) is not in node:crypto, so hashes go through digestBytes; SHA-1 only for ESS v1.
function hashBytes(hash: DigestAlgorithm | 'sha1', bytes: Uint8Array): Buffer {
  return hash === 'sha1' ? createHash('sha1').update(bytes).digest() : digestBytes(hash, bytes);
}

function essCertHash(attrs: pkijs.SignedAndUnsignedAttributes | undefined): { hash: DigestAlgorithm | 'sha1'; value: Buffer } | string {
  const v2 = attrValues(attrs, OID.signingCertificateV2);
  const v1 = attrValues(attrs, OID_SIGNING_CERTIFICATE_V1);
  const value = (v2 ?? v1)?.[0];
  if (!(value instanceof asn1js.Sequence)) return 'the ESS signing-certificate attribute is missing (RFC 3161 §2.4.1)';
  const certs = value.valueBlock.value[0];
  const first = certs instanceof asn1js.Sequence ? certs.valueBlock.value[0] : undefined;
  if (!(first instanceof asn1js.Sequence)) return 'the ESS signing-certificate attribute is malformed';
  const parts = first.valueBlock.value;
  let hashOid = OID_SHA1;
  let hashValue = parts[0];
  if (v2 !== undefined) {
    // ESSCertIDv2: hashAlgorithm defaults to SHA-256 and is omitted when it is (RFC 5035 §4).
    hashOid = OID.sha256;
    if (parts[0] instanceof asn1js.Sequence) {
      const alg = parts[0].valueBlock.value[0];
      if (!(alg instanceof asn1js.ObjectIdentifier)) return 'the ESSCertIDv2 hashAlgorithm is malformed';
      hashOid = alg.valueBlock.toString();
      hashValue = parts[1];
    }
  }
  if (!(hashValue instanceof asn1js.OctetString)) return 'the ESS certHash is malformed';
  const hash = hashOid === OID_SHA1 ? 'sha1' : digestAlgorithmFromOid(hashOid);
  if (hash === undefined) return `the ESS certHash uses an unsupported hash ${hashOid}`;
  return { hash, value: Buffer.from(hashValue.valueBlock.valueHexView) };
}

function validAt(cert: CertificateFacts, at: Date): boolean {
  return cert.notBefore.getTime() <= at.getTime() && at.getTime() <= cert.notAfter.getTime();
}

/** A path from `tsa` to an anchor, every certificate valid at `at` (RFC 5280 §6.1 with the time fixed at genTime). */
function chainProblem(tsa: CertificateFacts, pool: readonly CertificateFacts[], anchors: readonly { facts: CertificateFacts; label: string }[], at: Date): { label: string; path: Buffer[] } | string {
  let current = tsa;
  const seen: CertificateFacts[] = [tsa];
  for (let depth = 0; depth < MAX_PATH; depth++) {
    if (!validAt(current, at)) return `${current.x509.subject.replace(/\n/gu, ', ')} is not valid at genTime ${at.toISOString()}`;
    const anchor = anchors.find((a) => a.facts.subjectDer.equals(current.subjectDer) && a.facts.spkiDer.equals(current.spkiDer));
    if (anchor !== undefined) return { label: anchor.label, path: [...seen.slice(0, -1).map((c) => c.der), anchor.facts.der] };
    const issuer = [...anchors.map((a) => a.facts), ...pool].find(
      (c) => !seen.includes(c) && c.isCA && (c.keyUsageBits === undefined || c.keyUsageBits.has(KU_KEY_CERT_SIGN)) && isIssuedBy(current, c),
    );
    if (issuer === undefined) return 'the TSA certificate does not chain to a trust anchor';
    seen.push(issuer);
    current = issuer;
  }
  return 'the TSA certificate path is too long';
}

/**
 * Verifies a time-stamp token for `expectedImprint`. `ok` is true only when no problem was found;
 * `genTime` is reported whenever the TSTInfo could be read (it is the best signature time only when `ok`).
 */
export function verifyTimestampToken(input: VerifyTimestampTokenInput): TimestampVerification {
  const result: TimestampVerification = { ok: false, genTime: null, tsaCertificate: null, policy: null, serialNumber: null, trustAnchor: null, path: [], problems: [] };
  const problems = result.problems;
  const done = (): TimestampVerification => ({ ...result, ok: problems.length === 0 });

  let signed: pkijs.SignedData;
  let tstDer: Buffer;
  try {
    const info = pkijs.ContentInfo.fromBER(Buffer.from(input.tokenDer));
    if (info.contentType !== OID.signedData) {
      problems.push('the token is not a SignedData');
      return done();
    }
    signed = new pkijs.SignedData({ schema: info.content });
    const eContent = signed.encapContentInfo.eContent;
    if (signed.encapContentInfo.eContentType !== OID_TST_INFO || eContent === undefined) {
      problems.push('the token does not encapsulate a TSTInfo');
      return done();
    }
    tstDer = Buffer.from(eContent.getValue());
  } catch {
    problems.push('the token cannot be parsed');
    return done();
  }

  let tst: pkijs.TSTInfo;
  try {
    tst = pkijs.TSTInfo.fromBER(tstDer);
  } catch {
    problems.push('the TSTInfo cannot be parsed');
    return done();
  }
  result.genTime = tst.genTime;
  result.policy = tst.policy;
  result.serialNumber = normalizeSerial(tst.serialNumber.valueBlock.valueHexView).toString('hex');
  if (tst.version !== 1) problems.push(`TSTInfo version ${tst.version} is not 1`);
  if (tst.messageImprint.hashAlgorithm.algorithmId !== digestAlgorithmOid(input.digestAlgorithm)) {
    problems.push(`the message imprint uses ${tst.messageImprint.hashAlgorithm.algorithmId}, not ${input.digestAlgorithm}`);
  } else if (!Buffer.from(tst.messageImprint.hashedMessage.valueBlock.valueHexView).equals(Buffer.from(input.expectedImprint))) {
    problems.push('the message imprint differs from the expected digest: the token is over different data');
  }
  if (input.expectedNonce !== undefined) {
    const expected = BigInt(`0x${Buffer.from(input.expectedNonce).toString('hex') || '0'}`);
    if (tst.nonce === undefined || tst.nonce.toBigInt() !== expected) problems.push('the token nonce differs from the request nonce');
  }
  if (tst.genTime.getTime() > input.now.getTime() + (input.skewSeconds ?? 300) * 1000) problems.push(`genTime ${tst.genTime.toISOString()} is in the future`);

  // RFC 3161 §2.4.2: the token has exactly one SignerInfo, the TSA's.
  const signer = signed.signerInfos.length === 1 ? signed.signerInfos[0] : undefined;
  if (signer === undefined) {
    problems.push(`the token has ${signed.signerInfos.length} SignerInfos, not one`);
    return done();
  }
  const certificates: CertificateFacts[] = [];
  for (const c of signed.certificates ?? []) {
    if (!(c instanceof pkijs.Certificate)) continue;
    const facts = readCertificate(Buffer.from(c.toSchema().toBER()));
    if (facts !== null) certificates.push(facts);
  }
  for (const d of input.extraCertificates ?? []) {
    const facts = readCertificate(d);
    if (facts !== null) certificates.push(facts);
  }
  const tsa = certificates.find((c) => sidMatches(signer.sid, c));
  if (tsa === undefined) {
    problems.push('the TSA certificate is neither in the token nor known locally');
    return done();
  }
  result.tsaCertificate = tsa.der;

  const attrs = signer.signedAttrs;
  if (attrs === undefined) {
    problems.push('the SignerInfo has no signed attributes');
    return done();
  }
  const digestName = digestAlgorithmFromOid(signer.digestAlgorithm.algorithmId);
  const ct = attrValues(attrs, OID.contentType)?.[0];
  if (!(ct instanceof asn1js.ObjectIdentifier) || ct.valueBlock.toString() !== OID_TST_INFO) problems.push('the contentType attribute is not id-ct-TSTInfo');
  const md = attrValues(attrs, OID.messageDigest)?.[0];
  if (digestName === undefined) problems.push(`unsupported SignerInfo digest algorithm ${signer.digestAlgorithm.algorithmId}`);
  else if (!(md instanceof asn1js.OctetString) || !Buffer.from(md.valueBlock.valueHexView).equals(digestBytes(digestName, tstDer))) {
    problems.push('the messageDigest attribute does not match the TSTInfo');
  }
  const ess = essCertHash(attrs);
  if (typeof ess === 'string') problems.push(ess);
  else if (!ess.value.equals(hashBytes(ess.hash, tsa.der))) problems.push('the ESS signing-certificate hash does not match the TSA certificate');

  // The signature covers the DER of the signed attributes with an explicit SET OF tag (RFC 5652 §5.4).
  const signedAttrsDer = Buffer.from(attrs.encodedValue);
  signedAttrsDer[0] = 0x31;
  const sig = signatureProblem({
    algorithm: signer.signatureAlgorithm.algorithmId,
    parameters: signer.signatureAlgorithm.algorithmParams,
    digestAlgorithm: signer.digestAlgorithm.algorithmId,
    data: signedAttrsDer,
    signature: signer.signature.valueBlock.valueHexView,
    publicKey: tsa.publicKey,
  });
  if (sig !== null) problems.push(`token signature: ${sig}`);

  const eku = tsa.extendedKeyUsage;
  if (eku === undefined || eku.oids.length !== 1 || eku.oids[0] !== EXTENDED_KEY_USAGE_OIDS.timeStamping || !eku.critical) {
    problems.push('the TSA certificate must carry a critical extendedKeyUsage with id-kp-timeStamping only (RFC 3161 §2.3)');
  }
  if (tsa.keyUsageBits !== undefined && ![...tsa.keyUsageBits].every((b) => b === KU_DIGITAL_SIGNATURE || b === KU_NON_REPUDIATION)) {
    problems.push('the TSA certificate keyUsage allows more than digitalSignature and nonRepudiation');
  }

  const anchors = input.trustAnchors
    .map((a, i) => ({ facts: readCertificate(a.certificate), label: a.label ?? `anchor ${i}` }))
    .filter((a): a is { facts: CertificateFacts; label: string } => a.facts !== null);
  const chain = chainProblem(tsa, certificates, anchors, tst.genTime);
  if (typeof chain === 'string') problems.push(chain);
  else {
    result.trustAnchor = chain.label;
    result.path = chain.path;
  }
  return done();
}

/**
 * The hash algorithm of a token's message imprint (RFC 3161 §2.4.2 TSTInfo.messageImprint), so the
 * caller can compute the imprint it expects; `null` when the token is unreadable or the algorithm unknown.
 */
export function timestampImprintAlgorithm(tokenDer: Uint8Array): DigestAlgorithm | null {
  try {
    const signed = new pkijs.SignedData({ schema: pkijs.ContentInfo.fromBER(Buffer.from(tokenDer)).content });
    const eContent = signed.encapContentInfo.eContent;
    if (eContent === undefined) return null;
    return digestAlgorithmFromOid(pkijs.TSTInfo.fromBER(eContent.getValue()).messageImprint.hashAlgorithm.algorithmId) ?? null;
  } catch {
    return null;
  }
}

/**
 * The message imprint of a token (RFC 3161 §2.4.2 TSTInfo.messageImprint): its hash algorithm and
 * value, for matching a token kept beside a signature to the SignerInfo whose signature value it
 * covers; `null` when the token is unreadable or the algorithm unknown.
 */
export function timestampImprint(tokenDer: Uint8Array): { algorithm: DigestAlgorithm; value: Buffer } | null {
  try {
    const signed = new pkijs.SignedData({ schema: pkijs.ContentInfo.fromBER(Buffer.from(tokenDer)).content });
    const eContent = signed.encapContentInfo.eContent;
    if (eContent === undefined) return null;
    const imprint = pkijs.TSTInfo.fromBER(eContent.getValue()).messageImprint;
    const algorithm = digestAlgorithmFromOid(imprint.hashAlgorithm.algorithmId);
    return algorithm === undefined ? null : { algorithm, value: Buffer.from(imprint.hashedMessage.valueBlock.valueHexView) };
  } catch {
    return null;
  }
}
