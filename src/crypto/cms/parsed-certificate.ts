/**
 * An X.509 certificate (RFC 5280) parsed once into the facts signature validation needs, with
 * the raw DER of the names, serial and key so comparisons are byte-exact.
 */
import { createHash, X509Certificate, type KeyObject } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { GOST_OIDS, parseGostPublicKeySpki, type GostPublicKey } from '../gost/index.ts';
import { OID } from '../oids.ts';
import { KEY_USAGE_NAMES } from '../x509-issue.ts';
import type { CryptoResult } from '../types.ts';
import { children, isContextTag, parseStrict, rawBytes } from './der.ts';

export interface ParsedCertificate {
  der: Buffer;
  pkijs: pkijs.Certificate;
  x509: X509Certificate;
  /** `undefined` when node cannot load the key (e.g. an algorithm it lacks, such as GOST). */
  publicKey: KeyObject | undefined;
  /**
   * For a GOST R 34.10-2012 SubjectPublicKeyInfo (RFC 9215 §4.3): the key, or why it is unusable
   * (unknown or mismatched parameter set, point not on the curve). `undefined` for other keys.
   */
  gostPublicKey: { ok: true; value: GostPublicKey } | { ok: false; message: string } | undefined;
  /** DER of issuer / subject Name and SubjectPublicKeyInfo, as encoded in the certificate. */
  issuerDer: Buffer;
  subjectDer: Buffer;
  spkiDer: Buffer;
  /** Full INTEGER TLV of the serial number, and its content bytes. */
  serialTlv: Buffer;
  serialValue: Buffer;
  notBefore: Date;
  notAfter: Date;
  subjectKeyId: Buffer | undefined;
  authorityKeyId: Buffer | undefined;
  /** `null` when the extension is absent. */
  basicConstraints: { cA: boolean; pathLen: number | undefined } | null;
  /** RFC 5280 §4.2.1.3 bit names; `null` when the extension is absent. */
  keyUsage: string[] | null;
  /** Dotted OIDs; `null` when the extension is absent. */
  extendedKeyUsage: string[] | null;
  policies: string[];
  extensionIds: string[];
  spkiAlgorithm: string;
  /** The exact DER of tbsCertificate, what the issuer signed. */
  tbsDer: Buffer;
  /** Certificate.signatureAlgorithm OID and the signatureValue BIT STRING content (without the unused-bits byte). */
  signatureAlgorithm: string;
  signatureValue: Buffer;
}


function timeOf(block: asn1js.AsnType | undefined): Date | undefined {
  if (block instanceof asn1js.UTCTime || block instanceof asn1js.GeneralizedTime) return block.toDate();
  return undefined;
}

function keyUsageNames(bits: asn1js.BitString): string[] {
  const bytes = bits.valueBlock.valueHexView;
  const totalBits = bytes.length * 8 - bits.valueBlock.unusedBits;
  return KEY_USAGE_NAMES.filter((_, i) => i < totalBits && ((bytes[i >> 3] ?? 0) & (0x80 >> (i & 7))) !== 0);
}

function pathLenOf(value: number | asn1js.Integer | undefined): number | undefined {
  if (value === undefined) return undefined;
  return typeof value === 'number' ? value : value.valueBlock.valueDec;
}

// asn1js/pkijs take milliseconds per certificate, and the same few certificates (signer, its CA,
// the trust anchors) come back in every signature: parse each distinct DER once. Keyed by the
// SHA-256 of the bytes, so equal bytes give the same facts whoever holds them.
const CACHE_LIMIT = 512;
const parsedCache = new Map<string, ParsedCertificate>();

/**
 * Parses a DER certificate (RFC 5280 §4.1); an error result for anything that is not one.
 * Results are cached by the SHA-256 of the DER; treat the returned object as read-only.
 */
export function parseCertificate(der: Uint8Array): CryptoResult<ParsedCertificate, 'CERTIFICATE_MALFORMED'> {
  const key = createHash('sha256').update(der).digest('base64');
  const cached = parsedCache.get(key);
  if (cached !== undefined) {
    // Re-insert to keep the map in least-recently-used order.
    parsedCache.delete(key);
    parsedCache.set(key, cached);
    return { ok: true, value: cached };
  }
  const parsed = parseCertificateUncached(der);
  if (parsed.ok) {
    if (parsedCache.size >= CACHE_LIMIT) {
      const oldest = parsedCache.keys().next();
      if (oldest.done !== true) parsedCache.delete(oldest.value);
    }
    parsedCache.set(key, parsed.value);
  }
  return parsed;
}

function parseCertificateUncached(der: Uint8Array): CryptoResult<ParsedCertificate, 'CERTIFICATE_MALFORMED'> {
  const fail = (message: string): CryptoResult<ParsedCertificate, 'CERTIFICATE_MALFORMED'> => ({
    ok: false,
    error: { code: 'CERTIFICATE_MALFORMED', message },
  });
  const bytes = Buffer.from(der);
  const top = parseStrict(bytes);
  if (!(top instanceof asn1js.Sequence)) return fail('not a DER certificate');
  const [tbs, sigAlg, sigValue] = children(top);
  if (!(tbs instanceof asn1js.Sequence)) return fail('certificate has no TBSCertificate');
  const sigAlgOid = sigAlg === undefined ? undefined : children(sigAlg)[0];
  if (!(sigAlgOid instanceof asn1js.ObjectIdentifier) || !(sigValue instanceof asn1js.BitString) || sigValue.valueBlock.unusedBits !== 0) {
    return fail('certificate signature is malformed');
  }
  const fields = children(tbs);
  const first = fields[0];
  const offset = first !== undefined && isContextTag(first, 0) ? 1 : 0;
  const serial = fields[offset];
  const issuer = fields[offset + 2];
  const validity = fields[offset + 3];
  const subject = fields[offset + 4];
  const spki = fields[offset + 5];
  if (!(serial instanceof asn1js.Integer) || !(issuer instanceof asn1js.Sequence) || !(validity instanceof asn1js.Sequence)) {
    return fail('TBSCertificate is malformed');
  }
  if (!(subject instanceof asn1js.Sequence) || !(spki instanceof asn1js.Sequence)) return fail('TBSCertificate is malformed');
  const [nb, na] = children(validity);
  const notBefore = timeOf(nb);
  const notAfter = timeOf(na);
  if (notBefore === undefined || notAfter === undefined) return fail('certificate validity is malformed');

  let cert: pkijs.Certificate;
  let x509: X509Certificate;
  try {
    cert = new pkijs.Certificate({ schema: top });
    x509 = new X509Certificate(bytes);
  } catch (e) {
    return fail(`certificate does not parse: ${e instanceof Error ? e.message : String(e)}`);
  }
  let publicKey: KeyObject | undefined;
  try {
    publicKey = x509.publicKey;
  } catch {
    publicKey = undefined;
  }

  const spkiDer = rawBytes(spki);
  const spkiAlgorithm = cert.subjectPublicKeyInfo.algorithm.algorithmId;
  let gostPublicKey: ParsedCertificate['gostPublicKey'];
  if (spkiAlgorithm === GOST_OIDS.publicKey256 || spkiAlgorithm === GOST_OIDS.publicKey512) {
    const key = parseGostPublicKeySpki(spkiDer);
    gostPublicKey = key.ok ? key : { ok: false, message: key.error.message };
  }

  const parsed: ParsedCertificate = {
    der: bytes,
    pkijs: cert,
    x509,
    publicKey,
    gostPublicKey,
    issuerDer: rawBytes(issuer),
    subjectDer: rawBytes(subject),
    spkiDer,
    serialTlv: rawBytes(serial),
    serialValue: Buffer.from(serial.valueBlock.valueHexView),
    notBefore,
    notAfter,
    subjectKeyId: undefined,
    authorityKeyId: undefined,
    basicConstraints: null,
    keyUsage: null,
    extendedKeyUsage: null,
    policies: [],
    extensionIds: [],
    spkiAlgorithm,
    tbsDer: rawBytes(tbs),
    signatureAlgorithm: sigAlgOid.valueBlock.toString(),
    signatureValue: Buffer.from(sigValue.valueBlock.valueHexView),
  };
  for (const ext of cert.extensions ?? []) {
    parsed.extensionIds.push(ext.extnID);
    const v = ext.parsedValue;
    switch (ext.extnID) {
      case OID.subjectKeyIdentifier:
        if (v instanceof asn1js.OctetString) parsed.subjectKeyId = Buffer.from(v.valueBlock.valueHexView);
        break;
      case OID.authorityKeyIdentifier:
        if (v instanceof pkijs.AuthorityKeyIdentifier && v.keyIdentifier !== undefined) {
          parsed.authorityKeyId = Buffer.from(v.keyIdentifier.valueBlock.valueHexView);
        }
        break;
      case OID.basicConstraints:
        if (!(v instanceof pkijs.BasicConstraints)) return fail('basicConstraints extension is malformed');
        parsed.basicConstraints = { cA: v.cA, pathLen: pathLenOf(v.pathLenConstraint) };
        break;
      case OID.keyUsage:
        if (!(v instanceof asn1js.BitString)) return fail('keyUsage extension is malformed');
        parsed.keyUsage = keyUsageNames(v);
        break;
      case OID.extKeyUsage:
        if (!(v instanceof pkijs.ExtKeyUsage)) return fail('extendedKeyUsage extension is malformed');
        parsed.extendedKeyUsage = [...v.keyPurposes];
        break;
      case OID.certificatePolicies:
        if (!(v instanceof pkijs.CertificatePolicies)) return fail('certificatePolicies extension is malformed');
        parsed.policies = v.certificatePolicies.map((p) => p.policyIdentifier);
        break;
      default:
        break;
    }
  }
  return { ok: true, value: parsed };
}

/** RFC 5280 §6.1: same subject and key means the same CA, whichever of its certificates we hold. */
export function sameCertificateOrKey(a: ParsedCertificate, b: ParsedCertificate): boolean {
  return a.der.equals(b.der) || (a.subjectDer.equals(b.subjectDer) && a.spkiDer.equals(b.spkiDer));
}
