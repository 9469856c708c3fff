/**
 * Verifies a signature over DER bytes (a CRL's tbsCertList, an OCSP tbsResponseData, CMS signed
 * attributes, a tbsCertificate) with node:crypto, or with the GOST R 34.10-2012 implementation for
 * GOST keys. pkijs parses the structures but its own verification is not used.
 */
import { constants, verify, type KeyObject } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { GOST_OIDS, gostVerify, streebog, type GostPublicKey } from '../gost/index.ts';
import { OID } from '../oids.ts';

const SHA1 = '1.3.14.3.2.26';
const SHA1_RSA = '1.2.840.113549.1.1.5';
const ECDSA_SHA1 = '1.2.840.10045.4.1';
const ED25519 = '1.3.101.112';

const HASH_BY_OID: Record<string, string> = {
  [OID.sha256]: 'sha256',
  [OID.sha384]: 'sha384',
  [OID.sha512]: 'sha512',
};

const HASH_BYTES: Record<string, number> = { sha256: 32, sha384: 48, sha512: 64 };

const RSA_PKCS1: Record<string, string> = {
  [OID.sha256WithRSAEncryption]: 'sha256',
  [OID.sha384WithRSAEncryption]: 'sha384',
  [OID.sha512WithRSAEncryption]: 'sha512',
};

const ECDSA: Record<string, string> = {
  [OID.ecdsaWithSHA256]: 'sha256',
  [OID.ecdsaWithSHA384]: 'sha384',
  [OID.ecdsaWithSHA512]: 'sha512',
};

/**
 * A certificate's subject public key in the form a verifier can use: node:crypto's KeyObject, or a
 * GOST R 34.10-2012 key (RFC 9215 §2.2), which node's X509Certificate cannot represent. `unusable`
 * keeps the certificate readable (its names and serial still matter to revocation) while any
 * signature it should verify is reported as unverifiable.
 */
export type SignerKey =
  | { kind: 'node'; key: KeyObject }
  | { kind: 'gost'; key: GostPublicKey }
  | { kind: 'unusable'; reason: string };

export interface SignatureInput {
  /** signatureAlgorithm OID. */
  algorithm: string;
  /** signatureAlgorithm parameters (RSASSA-PSS only). */
  parameters?: unknown;
  /**
   * The CMS SignerInfo digestAlgorithm, which names the hash when the signature algorithm is the
   * bare key OID (rsaEncryption / id-ecPublicKey / id-tc26-gost3410-12-256/512, as OpenSSL writes)
   * — RFC 5652 §5.3, RFC 9215 §3.
   */
  digestAlgorithm?: string;
  data: Uint8Array;
  signature: Uint8Array;
  publicKey: SignerKey;
}

const GOST_BITS_BY_SIGNATURE: Record<string, 256 | 512> = {
  [GOST_OIDS.signature256]: 256,
  [GOST_OIDS.signature512]: 512,
  [GOST_OIDS.publicKey256]: 256,
  [GOST_OIDS.publicKey512]: 512,
};

const GOST_DIGEST_BITS: Record<string, 256 | 512> = {
  [GOST_OIDS.digest256]: 256,
  [GOST_OIDS.digest512]: 512,
};

/**
 * GOST R 34.10-2012 over Streebog (RFC 9215 §3; RFC 7091 §6.2): the signature algorithm's size,
 * the CMS digestAlgorithm's when there is one, and the key's must all agree — a Streebog-256 digest
 * cannot stand for a 512-bit key's, nor the reverse.
 */
function gostSignatureProblem(input: SignatureInput, bits: 256 | 512): string | null {
  const { algorithm, publicKey } = input;
  const bare = algorithm === GOST_OIDS.publicKey256 || algorithm === GOST_OIDS.publicKey512;
  if (input.digestAlgorithm !== undefined || bare) {
    const digestBits = GOST_DIGEST_BITS[input.digestAlgorithm ?? ''];
    if (digestBits === undefined) return `signature algorithm ${algorithm} needs a Streebog digest algorithm, got ${input.digestAlgorithm ?? 'none'}`;
    if (digestBits !== bits) return `signature algorithm ${algorithm} is ${bits}-bit GOST but the digest algorithm is Streebog-${digestBits}`;
  }
  if (publicKey.kind !== 'gost') return `signature algorithm ${algorithm} does not fit a ${keyTypeName(publicKey)} key`;
  const keyBits = publicKey.key.paramSet.curve.bits;
  if (keyBits !== bits) return `signature algorithm ${algorithm} is ${bits}-bit GOST but the signer key is ${keyBits}-bit`;
  return gostVerify({ digest: streebog(bits, input.data), signature: input.signature, publicKey: publicKey.key }) ? null : 'the signature does not verify with the signer key';
}

function keyTypeName(key: SignerKey): string {
  if (key.kind === 'gost') return `gost2012-${key.key.paramSet.curve.bits}`;
  if (key.kind === 'node') return key.key.asymmetricKeyType ?? 'unknown';
  return `unusable (${key.reason})`;
}

/** `null` when the signature verifies; otherwise why not (a sentence for a report). */
export function signatureProblem(input: SignatureInput): string | null {
  const { algorithm } = input;
  if (algorithm === SHA1_RSA || algorithm === ECDSA_SHA1 || input.digestAlgorithm === SHA1) {
    // SHA-1 signatures are forgeable with chosen prefixes (SHAttered, 2017); evidence must not rest on them.
    return `signature algorithm ${algorithm} uses SHA-1, which is not accepted`;
  }
  const gostBits = GOST_BITS_BY_SIGNATURE[algorithm];
  if (gostBits !== undefined) return gostSignatureProblem(input, gostBits);
  const signerKey = input.publicKey;
  const keyType = signerKey.kind === 'node' ? signerKey.key.asymmetricKeyType : undefined;
  let hash: string | null = null;
  let options: { padding?: number; saltLength?: number } = {};
  let keyTypes: readonly string[] = [];
  const pkcs1 = RSA_PKCS1[algorithm];
  const ecdsa = ECDSA[algorithm];
  if (pkcs1 !== undefined) {
    hash = pkcs1;
    options = { padding: constants.RSA_PKCS1_PADDING };
    keyTypes = ['rsa'];
  } else if (ecdsa !== undefined) {
    hash = ecdsa;
    keyTypes = ['ec'];
  } else if (algorithm === OID.rsaEncryption || algorithm === OID.ecPublicKey) {
    hash = HASH_BY_OID[input.digestAlgorithm ?? ''] ?? null;
    if (hash === null) return `signature algorithm ${algorithm} needs a known digest algorithm, got ${input.digestAlgorithm ?? 'none'}`;
    options = algorithm === OID.rsaEncryption ? { padding: constants.RSA_PKCS1_PADDING } : {};
    keyTypes = algorithm === OID.rsaEncryption ? ['rsa'] : ['ec'];
  } else if (algorithm === OID.rsassaPss) {
    if (!(input.parameters instanceof asn1js.Sequence)) return 'RSASSA-PSS without explicit parameters (SHA-1 defaults) is not accepted';
    try {
      const params = new pkijs.RSASSAPSSParams({ schema: input.parameters });
      hash = HASH_BY_OID[params.hashAlgorithm.algorithmId] ?? null;
      const mgfHash = new pkijs.AlgorithmIdentifier({ schema: params.maskGenAlgorithm.algorithmParams }).algorithmId;
      if (hash === null || params.maskGenAlgorithm.algorithmId !== OID.mgf1 || HASH_BY_OID[mgfHash] !== hash || params.trailerField !== 1) {
        return 'RSASSA-PSS parameters are not supported (hash, MGF1 hash and trailer must be SHA-2, equal, and 1)';
      }
      options = { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: params.saltLength };
    } catch {
      return 'RSASSA-PSS parameters are malformed';
    }
    keyTypes = ['rsa', 'rsa-pss'];
  } else if (algorithm === ED25519) {
    keyTypes = ['ed25519'];
  } else {
    return `unsupported signature algorithm ${algorithm}`;
  }
  if (signerKey.kind !== 'node' || keyType === undefined || !keyTypes.includes(keyType)) return `signature algorithm ${algorithm} does not fit a ${keyTypeName(signerKey)} key`;
  if (hash !== null && options.saltLength !== undefined && options.saltLength < (HASH_BYTES[hash] ?? 0)) {
    return `RSASSA-PSS salt length ${options.saltLength} is shorter than the hash`;
  }
  try {
    return verify(hash, input.data, { key: signerKey.key, ...options }, input.signature) ? null : 'the signature does not verify with the signer key';
  } catch (error) {
    return `the signature cannot be verified: ${error instanceof Error ? error.message : String(error)}`;
  }
}
