/**
 * The few facts about an X.509 certificate (RFC 5280) that revocation checking and timestamp
 * verification need, read once: exact DER of the names, serial number bytes, the key, extended key
 * usage with its criticality, and the CRL distribution point / OCSP URLs.
 */
import { X509Certificate } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { children } from '../der-writer.ts';
import { GOST_OIDS, parseGostPublicKeySpki } from '../gost/index.ts';
import { OID } from '../oids.ts';
import { signatureProblem, type SignerKey } from './signature-check.ts';

export type { SignerKey } from './signature-check.ts';

const OID_AD_OCSP = '1.3.6.1.5.5.7.48.1';
/** id-pkix-ocsp-nocheck (RFC 6960 §4.2.2.2.1). */
const OID_OCSP_NOCHECK = '1.3.6.1.5.5.7.48.1.5';
const GENERAL_NAME_URI = 6;

export interface CertificateFacts {
  der: Buffer;
  x509: X509Certificate;
  publicKey: SignerKey;
  /** Exact tbsCertificate bytes, the input of the certificate's own signature. */
  tbsDer: Buffer;
  signatureAlgorithm: string;
  signatureParameters: unknown;
  signatureValue: Buffer;
  /** DER of the subject Name, byte for byte as in the certificate. */
  subjectDer: Buffer;
  issuerDer: Buffer;
  /** Content octets of the serialNumber INTEGER, leading zero octets removed. */
  serial: Buffer;
  /** DER of subjectPublicKeyInfo. */
  spkiDer: Buffer;
  /** Value of the subjectPublicKey BIT STRING without its unused-bits octet (RFC 6960 §4.1.1 issuerKeyHash input). */
  subjectPublicKeyBits: Buffer;
  notBefore: Date;
  notAfter: Date;
  isCA: boolean;
  /** Named bits of keyUsage (RFC 5280 §4.2.1.3: 0 digitalSignature ... 6 cRLSign); `undefined` when absent. */
  keyUsageBits: ReadonlySet<number> | undefined;
  /** `undefined` when the certificate has no extendedKeyUsage extension. */
  extendedKeyUsage: { oids: string[]; critical: boolean } | undefined;
  crlUrls: string[];
  ocspUrls: string[];
  /** The certificate carries id-pkix-ocsp-nocheck: as an OCSP responder, its revocation is not checked (RFC 6960 §4.2.2.2.1). */
  ocspNoCheck: boolean;
}

/** Strips leading zero octets so that INTEGER encodings compare by value. */
export function normalizeSerial(bytes: Uint8Array): Buffer {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  return Buffer.from(bytes.subarray(i));
}

function uris(names: readonly pkijs.GeneralName[] | undefined): string[] {
  const out: string[] = [];
  for (const n of names ?? []) {
    if (n.type === GENERAL_NAME_URI && typeof n.value === 'string') out.push(n.value);
  }
  return out;
}

/** The SPKI's key as a verifier can use it; GOST keys are read from the SPKI DER. */
function signerKeyOf(x509: X509Certificate, spkiAlgorithm: string, spkiDer: Uint8Array): SignerKey {
  if (spkiAlgorithm === GOST_OIDS.publicKey256 || spkiAlgorithm === GOST_OIDS.publicKey512) {
    const key = parseGostPublicKeySpki(spkiDer);
    return key.ok ? { kind: 'gost', key: key.value } : { kind: 'unusable', reason: key.error.message };
  }
  try {
    return { kind: 'node', key: x509.publicKey };
  } catch (error) {
    return { kind: 'unusable', reason: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * Parses a DER certificate. Returns `null` when it is not a certificate node:crypto and pkijs can
 * both read (callers report that as a problem, it is not a programmer error).
 */
export function readCertificate(der: Uint8Array): CertificateFacts | null {
  try {
    const bytes = Buffer.from(der);
    const x509 = new X509Certificate(bytes);
    const cert = pkijs.Certificate.fromBER(bytes);
    const outer = children(bytes);
    const tbs = outer[0];
    if (tbs === undefined) return null;
    const fields = children(tbs.bytes);
    // tbsCertificate: [0] version is present in v2/v3 certificates and shifts the other fields by one.
    const shift = fields[0]?.tag === 0xa0 ? 1 : 0;
    const issuer = fields[2 + shift];
    const subject = fields[4 + shift];
    const spki = fields[5 + shift];
    if (issuer === undefined || subject === undefined || spki === undefined) return null;
    const keyBits = children(spki.bytes)[1];
    if (keyBits === undefined || keyBits.tag !== 0x03) return null;
    const signatureBits = outer[2];
    if (signatureBits === undefined || signatureBits.tag !== 0x03) return null;

    let extendedKeyUsage: CertificateFacts['extendedKeyUsage'];
    let isCA = false;
    let keyUsageBits: Set<number> | undefined;
    const crlUrls: string[] = [];
    const ocspUrls: string[] = [];
    let ocspNoCheck = false;
    for (const ext of cert.extensions ?? []) {
      const value = ext.extnValue.valueBlock.valueHexView;
      if (ext.extnID === OID.extKeyUsage) {
        const parsed = new pkijs.ExtKeyUsage({ schema: asn1js.fromBER(value).result });
        extendedKeyUsage = { oids: [...parsed.keyPurposes], critical: ext.critical };
      } else if (ext.extnID === OID.keyUsage) {
        const bits = asn1js.fromBER(value).result;
        if (!(bits instanceof asn1js.BitString)) return null;
        const octets = bits.valueBlock.valueHexView;
        keyUsageBits = new Set<number>();
        for (let i = 0; i < octets.length * 8; i++) {
          if (((octets[i >> 3] ?? 0) & (0x80 >> (i & 7))) !== 0) keyUsageBits.add(i);
        }
      } else if (ext.extnID === OID.basicConstraints) {
        isCA = new pkijs.BasicConstraints({ schema: asn1js.fromBER(value).result }).cA;
      } else if (ext.extnID === OID.cRLDistributionPoints) {
        const parsed = new pkijs.CRLDistributionPoints({ schema: asn1js.fromBER(value).result });
        for (const dp of parsed.distributionPoints) {
          // Only a fullName (not nameRelativeToCRLIssuer) carries URLs; a cRLIssuer means an indirect CRL.
          if (dp.cRLIssuer === undefined && Array.isArray(dp.distributionPoint)) crlUrls.push(...uris(dp.distributionPoint));
        }
      } else if (ext.extnID === OID_OCSP_NOCHECK) {
        ocspNoCheck = true;
      } else if (ext.extnID === OID.authorityInfoAccess) {
        const parsed = new pkijs.InfoAccess({ schema: asn1js.fromBER(value).result });
        for (const ad of parsed.accessDescriptions) {
          if (ad.accessMethod === OID_AD_OCSP) ocspUrls.push(...uris([ad.accessLocation]));
        }
      }
    }
    return {
      der: bytes,
      x509,
      publicKey: signerKeyOf(x509, cert.subjectPublicKeyInfo.algorithm.algorithmId, spki.bytes),
      tbsDer: tbs.bytes,
      signatureAlgorithm: cert.signatureAlgorithm.algorithmId,
      signatureParameters: cert.signatureAlgorithm.algorithmParams,
      signatureValue: signatureBits.content.subarray(1),
      subjectDer: subject.bytes,
      issuerDer: issuer.bytes,
      serial: normalizeSerial(cert.serialNumber.valueBlock.valueHexView),
      spkiDer: spki.bytes,
      subjectPublicKeyBits: keyBits.content.subarray(1),
      notBefore: new Date(x509.validFrom),
      notAfter: new Date(x509.validTo),
      isCA,
      keyUsageBits,
      extendedKeyUsage,
      crlUrls,
      ocspUrls,
      ocspNoCheck,
    };
  } catch {
    return null;
  }
}

/**
 * Whether `child` names `issuer`'s subject as its issuer and its signature verifies with `issuer`'s
 * key. GOST signatures (RFC 9215 §3.1: Streebog over the exact tbsCertificate) are checked here,
 * since node's X509Certificate.verify cannot take a GOST key.
 */
export function isIssuedBy(child: CertificateFacts, issuer: CertificateFacts): boolean {
  if (!child.issuerDer.equals(issuer.subjectDer)) return false;
  const key = issuer.publicKey;
  if (key.kind === 'gost' || child.signatureAlgorithm === GOST_OIDS.signature256 || child.signatureAlgorithm === GOST_OIDS.signature512) {
    return signatureProblem({ algorithm: child.signatureAlgorithm, parameters: child.signatureParameters, data: child.tbsDer, signature: child.signatureValue, publicKey: key }) === null;
  }
  if (key.kind !== 'node') return false;
  try {
    return child.x509.verify(key.key);
  } catch {
    return false;
  }
}
