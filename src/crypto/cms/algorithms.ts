/**
 * Signature algorithm identifiers for CMS SignerInfo (RFC 5652 §10.1.2): building them for
 * signing, and reading them (including RSASSA-PSS parameters, RFC 4055 §3.1, and the GOST
 * R 34.10-2012 identifiers of RFC 9215 / OpenSSL's GOST engine) for verification.
 */
import { constants } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { digestAlgorithmFromOid, digestAlgorithmOid, digestLength, type DigestAlgorithm } from '../digest.ts';
import { GOST_OIDS } from '../gost/index.ts';
import { isGostSigningKey, type SigningKey } from '../keys.ts';
import { OID } from '../oids.ts';
import type { CryptoResult, RsaScheme } from '../types.ts';
import { algorithmIdentifier, derInteger, tlv } from './der.ts';

/** `gost2012`: GOST R 34.10-2012 over Streebog of the key's size (RFC 7091, RFC 9215). */
export type SignatureFamily = 'rsa-pkcs1' | 'rsa-pss' | 'ecdsa' | 'gost2012';

/** A signature algorithm the verifier can run with node:crypto. */
export interface SignatureScheme {
  family: SignatureFamily;
  hash: DigestAlgorithm;
  /** PSS only: salt length in bytes. */
  saltLength?: number;
}

type Sha2 = 'sha-256' | 'sha-384' | 'sha-512';

const RSA_PKCS1_OID = {
  'sha-256': OID.sha256WithRSAEncryption,
  'sha-384': OID.sha384WithRSAEncryption,
  'sha-512': OID.sha512WithRSAEncryption,
} as const satisfies Record<Sha2, string>;

const ECDSA_OID = {
  'sha-256': OID.ecdsaWithSHA256,
  'sha-384': OID.ecdsaWithSHA384,
  'sha-512': OID.ecdsaWithSHA512,
} as const satisfies Record<Sha2, string>;

function isSha2(hash: DigestAlgorithm): hash is Sha2 {
  return hash === 'sha-256' || hash === 'sha-384' || hash === 'sha-512';
}

/** The Streebog that a GOST key of `bits` signs (RFC 9215 §3). */
function gostHash(bits: 256 | 512): DigestAlgorithm {
  return bits === 256 ? 'streebog-256' : 'streebog-512';
}

const DER_NULL = Buffer.from([0x05, 0x00]);

/** Readable name used in reports: `rsa-pkcs1-sha256`, `rsa-pss-sha384`, `ecdsa-sha512`, `gost2012-streebog256`. */
export function signatureSchemeName(scheme: SignatureScheme): string {
  return `${scheme.family}-${scheme.hash.replace('-', '')}`;
}

/** Byte length of a digest, which is also the PSS salt length we write (RFC 4055 §3.1 recommends it). */
export function hashLength(hash: DigestAlgorithm): number {
  return digestLength(hash);
}

/**
 * Which scheme a private key signs `hash` with; `null` for key types this module does not sign
 * with, and for combinations that do not exist (a GOST key with SHA-2 or Streebog of the other
 * size, an RSA/EC key with Streebog).
 */
export function schemeForKey(key: SigningKey, hash: DigestAlgorithm, rsaScheme: RsaScheme): SignatureScheme | null {
  if (isGostSigningKey(key)) return gostHash(key.privateKey.paramSet.curve.bits) === hash ? { family: 'gost2012', hash } : null;
  if (!isSha2(hash)) return null;
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return rsaScheme === 'pss' ? { family: 'rsa-pss', hash, saltLength: digestLength(hash) } : { family: 'rsa-pkcs1', hash };
    case 'rsa-pss':
      return { family: 'rsa-pss', hash, saltLength: digestLength(hash) };
    case 'ec':
      return { family: 'ecdsa', hash };
    default:
      return null;
  }
}

/**
 * DER AlgorithmIdentifier for `scheme`: sha*WithRSAEncryption with NULL parameters (RFC 4055 §5),
 * id-RSASSA-PSS with explicit parameters (hash, MGF1 with the same hash, salt = hash length, the
 * default trailer omitted), ecdsa-with-SHA* with absent parameters (RFC 5758 §3.2). GOST: the
 * key algorithm id-tc26-gost3410-12-256/512 with NULL parameters, exactly what `openssl cms
 * -sign -engine gost` writes in SignerInfo (RFC 4490 §3.2 lineage).
 * @throws Error for a scheme that pairs a family with a hash it cannot use (a programmer error).
 */
export function encodeSignatureAlgorithm(scheme: SignatureScheme): Buffer {
  const hash = scheme.hash;
  if (scheme.family === 'gost2012') {
    if (hash === 'streebog-256') return algorithmIdentifier(GOST_OIDS.publicKey256, DER_NULL);
    if (hash === 'streebog-512') return algorithmIdentifier(GOST_OIDS.publicKey512, DER_NULL);
    throw new Error(`GOST R 34.10-2012 does not sign ${hash}`);
  }
  if (!isSha2(hash)) throw new Error(`${scheme.family} does not sign ${hash}`);
  switch (scheme.family) {
    case 'rsa-pkcs1':
      return algorithmIdentifier(RSA_PKCS1_OID[hash], DER_NULL);
    case 'ecdsa':
      return algorithmIdentifier(ECDSA_OID[hash]);
    case 'rsa-pss': {
      const hashAlg = algorithmIdentifier(digestAlgorithmOid(scheme.hash));
      const params = tlv(
        0x30,
        tlv(0xa0, hashAlg),
        tlv(0xa1, algorithmIdentifier(OID.mgf1, hashAlg)),
        tlv(0xa2, derInteger(scheme.saltLength ?? digestLength(hash))),
      );
      return algorithmIdentifier(OID.rsassaPss, params);
    }
  }
}

/** Options for node's `crypto.sign` / `crypto.verify` with a key of this scheme. */
export function nodeKeyOptions(scheme: SignatureScheme): { padding?: number; saltLength?: number } {
  if (scheme.family === 'rsa-pss') {
    return { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: scheme.saltLength ?? digestLength(scheme.hash) };
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
 * the digestAlgorithm; a hash named by the signature OID must equal the digestAlgorithm. GOST:
 * the key OIDs id-tc26-gost3410-12-256/512 (what OpenSSL writes) and the signwithdigest OIDs
 * (RFC 9215 §3.1), parameters absent or NULL; the digest must be Streebog of the key's size.
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
  const gostBits =
    oid === GOST_OIDS.publicKey256 || oid === GOST_OIDS.signature256 ? 256 : oid === GOST_OIDS.publicKey512 || oid === GOST_OIDS.signature512 ? 512 : undefined;
  if (gostBits !== undefined) {
    if (params !== undefined && !(params instanceof asn1js.Null)) {
      return { ok: false, error: { code: 'UNSUPPORTED', message: `GOST signature algorithm ${oid} has unexpected parameters` } };
    }
    if (hash !== gostHash(gostBits)) {
      return {
        ok: false,
        error: { code: 'UNSUPPORTED', message: `GOST R 34.10-2012 ${gostBits}-bit signature algorithm ${oid} needs ${gostHash(gostBits)}, but the digest algorithm is ${hash}` },
      };
    }
    return { ok: true, value: { family: 'gost2012', hash } };
  }
  if (!isSha2(hash)) {
    return { ok: false, error: { code: 'UNSUPPORTED', message: `signature algorithm ${oid} cannot be combined with the digest algorithm ${hash}` } };
  }
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
