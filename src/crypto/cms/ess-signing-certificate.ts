/**
 * ESS signing-certificate attributes: SigningCertificateV2 (RFC 5035 §3) and the SHA-1 only
 * SigningCertificate (RFC 2634 §5.4), which bind the signature to one certificate.
 */
import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import { digestAlgorithmFromOid, digestAlgorithmOid, digestBytes, type DigestAlgorithm } from '../digest.ts';
import { OID } from '../oids.ts';
import { algorithmIdentifier, children, isContextTag, rawBytes, tlv, TAG } from './der.ts';
import type { ParsedCertificate } from './parsed-certificate.ts';

/** id-aa-signingCertificate (RFC 2634 §5.4); not in the shared OID table. */
export const OID_SIGNING_CERTIFICATE_V1 = '1.2.840.113549.1.9.16.2.12';
const OID_SHA1 = '1.3.14.3.2.26';

/** The first ESSCertID(v2) of the attribute: the one that names the signer (RFC 5035 §5.4). */
export interface EssCertId {
  /** The ESSCertIDv2 hashAlgorithm, or SHA-1 for a v1 ESSCertID. */
  hash: DigestAlgorithm | 'sha-1';
  certHash: Buffer;
  issuerSerial?: { directoryNames: Buffer[]; serialValue: Buffer };
}

const DER_NULL = Buffer.from([0x05, 0x00]);

function certificateHash(hash: EssCertId['hash'], der: Buffer): Buffer {
  return hash === 'sha-1' ? createHash('sha1').update(der).digest() : digestBytes(hash, der);
}

/**
 * DER SigningCertificateV2 with one ESSCertIDv2 for `cert`. hashAlgorithm is omitted for SHA-256
 * because it is the DEFAULT and DER forbids encoding defaults (X.690 §11.5); SHA-384/512 have
 * absent parameters (RFC 5754 §2), Streebog has NULL parameters, as `openssl cms -sign -cades
 * -engine gost` writes them.
 */
export function encodeSigningCertificateV2(cert: ParsedCertificate, hash: DigestAlgorithm = 'sha-256'): Buffer {
  // A function of the certificate alone, and parsed certificates are cached per DER: every
  // signature by one signer reuses the encoding instead of hashing the certificate again.
  let byHash = encodedFor.get(cert);
  if (byHash === undefined) {
    byHash = new Map();
    encodedFor.set(cert, byHash);
  }
  let encoded = byHash.get(hash);
  if (encoded === undefined) {
    encoded = encodeUncached(cert, hash);
    byHash.set(hash, encoded);
  }
  return Buffer.from(encoded);
}

const encodedFor = new WeakMap<ParsedCertificate, Map<DigestAlgorithm, Buffer>>();

function encodeUncached(cert: ParsedCertificate, hash: DigestAlgorithm): Buffer {
  const hashOid = digestAlgorithmOid(hash);
  const certHash = digestBytes(hash, cert.der);
  const issuerSerial = tlv(TAG.sequence, tlv(TAG.sequence, tlv(TAG.context4, cert.issuerDer)), cert.serialTlv);
  const hashAlgorithm = hash === 'streebog-256' || hash === 'streebog-512' ? algorithmIdentifier(hashOid, DER_NULL) : algorithmIdentifier(hashOid);
  const essCertId = tlv(
    TAG.sequence,
    ...(hash === 'sha-256' ? [] : [hashAlgorithm]),
    tlv(TAG.octetString, certHash),
    issuerSerial,
  );
  return tlv(TAG.sequence, tlv(TAG.sequence, essCertId));
}

function hashNameOf(oid: string): EssCertId['hash'] | undefined {
  if (oid === OID_SHA1) return 'sha-1';
  return digestAlgorithmFromOid(oid);
}

function parseIssuerSerial(block: asn1js.AsnType | undefined): EssCertId['issuerSerial'] | null {
  if (block === undefined) return undefined;
  const [names, serial] = children(block);
  if (!(block instanceof asn1js.Sequence) || !(names instanceof asn1js.Sequence) || !(serial instanceof asn1js.Integer)) return null;
  const directoryNames: Buffer[] = [];
  for (const gn of children(names)) {
    const inner = children(gn)[0];
    if (isContextTag(gn, 4) && inner !== undefined) directoryNames.push(rawBytes(inner));
  }
  return { directoryNames, serialValue: Buffer.from(serial.valueBlock.valueHexView) };
}

/**
 * Reads the first ESSCertID(v2) of a signing-certificate(-v2) attribute value; `null` when malformed
 * or when its hash algorithm is unknown.
 */
export function parseEssCertId(value: asn1js.AsnType, version: 1 | 2): EssCertId | null {
  const certs = children(value)[0];
  if (!(value instanceof asn1js.Sequence) || !(certs instanceof asn1js.Sequence)) return null;
  const first = children(certs)[0];
  if (!(first instanceof asn1js.Sequence)) return null;
  const parts = children(first);
  let i = 0;
  let hashOid = version === 1 ? OID_SHA1 : OID.sha256;
  const head = parts[0];
  if (version === 2 && head instanceof asn1js.Sequence) {
    const oid = children(head)[0];
    if (!(oid instanceof asn1js.ObjectIdentifier)) return null;
    hashOid = oid.valueBlock.toString();
    i = 1;
  }
  const certHash = parts[i];
  if (!(certHash instanceof asn1js.OctetString)) return null;
  const hash = hashNameOf(hashOid);
  if (hash === undefined) return null;
  const issuerSerial = parseIssuerSerial(parts[i + 1]);
  if (issuerSerial === null) return null;
  return {
    hash,
    certHash: Buffer.from(certHash.valueBlock.valueHexView),
    ...(issuerSerial === undefined ? {} : { issuerSerial }),
  };
}

/** Whether an ESSCertID names `cert` (hash, and issuer/serial when present). */
export function essCertIdMatches(id: EssCertId, cert: ParsedCertificate): { ok: true } | { ok: false; message: string } {
  const actual = certificateHash(id.hash, cert.der);
  if (!actual.equals(id.certHash)) {
    return { ok: false, message: `the ${id.hash} hash in the signing-certificate attribute does not match the signer certificate` };
  }
  if (id.issuerSerial !== undefined) {
    const nameOk = id.issuerSerial.directoryNames.some((n) => n.equals(cert.issuerDer));
    if (!nameOk || !id.issuerSerial.serialValue.equals(cert.serialValue)) {
      return { ok: false, message: 'the issuerSerial in the signing-certificate attribute does not match the signer certificate' };
    }
  }
  return { ok: true };
}
