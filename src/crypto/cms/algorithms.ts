/**
 * Signature algorithm identifiers for CMS SignerInfo (RFC 5652 §10.1.2): building them for
 * signing, and reading them (including RSASSA-PSS parameters, RFC 4055 §3.1) for verification.
 */
import { constants, type KeyObject } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { digestAlgorithmFromOid, digestAlgorithmOid, type DigestAlgorithm } from '../digest.ts';
import { OID } from '../oids.ts';
import type { CryptoResult, RsaScheme } from '../types.ts';
import { algorithmIdentifier, derInteger, tlv } from './der.ts';

export type SignatureFamily = 'rsa-pkcs1' | 'rsa-pss' | 'ecdsa';

/** A signature algorithm the verifier can run with node:crypto. */
export interface SignatureScheme {
  family: SignatureFamily;
  hash: DigestAlgorithm;
  /** PSS only: salt length in bytes. */
  saltLength?: number;
}

const HASH_BYTES = { 'sha-256': 32, 'sha-384': 48, 'sha-512': 64 } as const satisfies Record<DigestAlgorithm, number>;

const RSA_PKCS1_OID = {
  'sha-256': OID.sha256WithRSAEncryption,
  'sha-384': OID.sha384WithRSAEncryption,
  'sha-512': OID.sha512WithRSAEncryption,
} as const satisfies Record<DigestAlgorithm, string>;

const ECDSA_OID = {
  'sha-256': OID.ecdsaWithSHA256,
  'sha-384': OID.ecdsaWithSHA384,
  'sha-512': OID.ecdsaWithSHA512,
} as const satisfies Record<DigestAlgorithm, string>;

const DER_NULL = Buffer.from([0x05, 0x00]);

/** Readable name used in reports: `rsa-pkcs1-sha256`, `rsa-pss-sha384`, `ecdsa-sha512`. */
export function signatureSchemeName(scheme: SignatureScheme): string {
  return `${scheme.family}-${scheme.hash.replace('-', '')}`;
}

/** Byte length of a digest, which is also the PSS salt length we write (RFC 4055 §3.1 recommends it). */
export function hashLength(hash: DigestAlgorithm): number {
  return HASH_BYTES[hash];
}

/** Which scheme a private key signs with; `null` for key types this module does not sign with. */
export function schemeForKey(key: KeyObject, hash: DigestAlgorithm, rsaScheme: RsaScheme): SignatureScheme | null {
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return rsaScheme === 'pss' ? { family: 'rsa-pss', hash, saltLength: HASH_BYTES[hash] } : { family: 'rsa-pkcs1', hash };
    case 'rsa-pss':
      return { family: 'rsa-pss', hash, saltLength: HASH_BYTES[hash] };
    case 'ec':
      return { family: 'ecdsa', hash };
    default:
      return null;
  }
}

/**
 * DER AlgorithmIdentifier for `scheme`: sha*WithRSAEncryption with NULL parameters (RFC 4055 §5),
 * id-RSASSA-PSS with explicit parameters (hash, MGF1 with the same hash, salt = hash length, the
 * default trailer omitted), ecdsa-with-SHA* with absent parameters (RFC 5758 §3.2).
 */
export function encodeSignatureAlgorithm(scheme: SignatureScheme): Buffer {
  switch (scheme.family) {
    case 'rsa-pkcs1':
      return algorithmIdentifier(RSA_PKCS1_OID[scheme.hash], DER_NULL);
    case 'ecdsa':
      return algorithmIdentifier(ECDSA_OID[scheme.hash]);
    case 'rsa-pss': {
      const hashAlg = algorithmIdentifier(digestAlgorithmOid(scheme.hash));
      const params = tlv(
        0x30,
        tlv(0xa0, hashAlg),
        tlv(0xa1, algorithmIdentifier(OID.mgf1, hashAlg)),
        tlv(0xa2, derInteger(scheme.saltLength ?? HASH_BYTES[scheme.hash])),
      );
      return algorithmIdentifier(OID.rsassaPss, params);
    }
  }
}

/** Options for node's `crypto.sign` / `crypto.verify` with a key of this scheme. */
export function nodeKeyOptions(scheme: SignatureScheme): { padding?: number; saltLength?: number } {
  if (scheme.family === 'rsa-pss') {
    return { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: scheme.saltLength ?? HASH_BYTES[scheme.hash] };
  }
  if (scheme.family === 'rsa-pkcs1') return { padding: constants.RSA_PKCS1_PADDING };
  return {};
}

function pssScheme(params: unknown, hash: DigestAlgorithm): CryptoResult<SignatureScheme, 'UNSUPPORTED'> {
  if (!(params instanceof asn1js.Sequence)) {
    return { ok: false, error: { code: 'UNSUPPORTED', message: 'RSASSA-PSS without parameters (SHA-1 defaults) is not accepted' } };
  }
  let parsed: pkijs.RSASSAPSSParams;
  try {
    parsed = new pkijs.RSASSAPSSParams({ schema: params });
  } catch {
    return { ok: false, error: { code: 'UNSUPPORTED', message: 'RSASSA-PSS parameters are malformed' } };
  }
  const pssHash = digestAlgorithmFromOid(parsed.hashAlgorithm.algorithmId);
  if (pssHash !== hash) {
    return { ok: false, error: { code: 'UNSUPPORTED', message: `RSASSA-PSS hash ${parsed.hashAlgorithm.algorithmId} differs from the digest algorithm ${hash}` } };
  }
  if (parsed.maskGenAlgorithm.algorithmId !== OID.mgf1) {
    return { ok: false, error: { code: 'UNSUPPORTED', message: `RSASSA-PSS mask generation ${parsed.maskGenAlgorithm.algorithmId} is not MGF1` } };
  }
  let mgfHashOid = '';
  try {
    mgfHashOid = new pkijs.AlgorithmIdentifier({ schema: parsed.maskGenAlgorithm.algorithmParams }).algorithmId;
  } catch {
    mgfHashOid = '';
  }
  if (digestAlgorithmFromOid(mgfHashOid) !== hash) {
    return { ok: false, error: { code: 'UNSUPPORTED', message: 'RSASSA-PSS MGF1 hash differs from the signature hash' } };
  }
  if (parsed.trailerField !== 1) {
    return { ok: false, error: { code: 'UNSUPPORTED', message: `RSASSA-PSS trailerField ${parsed.trailerField} is not 1` } };
  }
  return { ok: true, value: { family: 'rsa-pss', hash, saltLength: parsed.saltLength } };
}

/**
 * Interprets a SignerInfo signatureAlgorithm together with its digestAlgorithm. Accepts the bare
 * key OIDs rsaEncryption (what OpenSSL writes for PKCS#1 v1.5) and id-ecPublicKey, where the hash is
 * the digestAlgorithm; a hash named by the signature OID must equal the digestAlgorithm.
 */
export function parseSignatureAlgorithm(
  oid: string,
  params: unknown,
  hash: DigestAlgorithm,
): CryptoResult<SignatureScheme, 'UNSUPPORTED'> {
  const mismatch = (named: DigestAlgorithm): CryptoResult<SignatureScheme, 'UNSUPPORTED'> => ({
    ok: false,
    error: { code: 'UNSUPPORTED', message: `signature algorithm ${oid} uses ${named} but the digest algorithm is ${hash}` },
  });
  if (oid === OID.rsaEncryption) return { ok: true, value: { family: 'rsa-pkcs1', hash } };
  if (oid === OID.ecPublicKey) return { ok: true, value: { family: 'ecdsa', hash } };
  if (oid === OID.rsassaPss) return pssScheme(params, hash);
  for (const [name, known] of Object.entries(RSA_PKCS1_OID) as [DigestAlgorithm, string][]) {
    if (known === oid) return name === hash ? { ok: true, value: { family: 'rsa-pkcs1', hash } } : mismatch(name);
  }
  for (const [name, known] of Object.entries(ECDSA_OID) as [DigestAlgorithm, string][]) {
    if (known === oid) return name === hash ? { ok: true, value: { family: 'ecdsa', hash } } : mismatch(name);
  }
  return { ok: false, error: { code: 'UNSUPPORTED', message: `unknown signature algorithm ${oid}` } };
}
