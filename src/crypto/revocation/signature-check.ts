/**
 * Verifies a signature over DER bytes (a CRL's tbsCertList, an OCSP tbsResponseData, CMS signed
 * attributes) with node:crypto. pkijs parses the structures but its own verification is not used.
 */
import { constants, verify, type KeyObject } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
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

export interface SignatureInput {
  /** signatureAlgorithm OID. */
  algorithm: string;
  /** signatureAlgorithm parameters (RSASSA-PSS only). */
  parameters?: unknown;
  /**
   * The CMS SignerInfo digestAlgorithm, which names the hash when the signature algorithm is the
   * bare key OID (rsaEncryption / id-ecPublicKey, as OpenSSL writes) — RFC 5652 §5.3.
   */
  digestAlgorithm?: string;
  data: Uint8Array;
  signature: Uint8Array;
  publicKey: KeyObject;
}

/** `null` when the signature verifies; otherwise why not (a sentence for a report). */
export function signatureProblem(input: SignatureInput): string | null {
  const { algorithm } = input;
  if (algorithm === SHA1_RSA || algorithm === ECDSA_SHA1 || input.digestAlgorithm === SHA1) {
    // SHA-1 signatures are forgeable with chosen prefixes (SHAttered, 2017); evidence must not rest on them.
    return `signature algorithm ${algorithm} uses SHA-1, which is not accepted`;
  }
  const keyType = input.publicKey.asymmetricKeyType;
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
  if (keyType === undefined || !keyTypes.includes(keyType)) return `signature algorithm ${algorithm} does not fit a ${keyType ?? 'unknown'} key`;
  if (hash !== null && options.saltLength !== undefined && options.saltLength < (HASH_BYTES[hash] ?? 0)) {
    return `RSASSA-PSS salt length ${options.saltLength} is shorter than the hash`;
  }
  try {
    return verify(hash, input.data, { key: input.publicKey, ...options }, input.signature) ? null : 'the signature does not verify with the signer key';
  } catch (error) {
    return `the signature cannot be verified: ${error instanceof Error ? error.message : String(error)}`;
  }
}
