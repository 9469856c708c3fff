import { createHash } from 'node:crypto';
import { createStreebog, GOST_OIDS, streebog, type StreebogBits } from './gost/index.ts';
import { OID } from './oids.ts';

/**
 * Digest algorithms the gateway accepts, by the names used in envelope.xml and reports:
 * SHA-2 (FIPS 180-4) and GOST R 34.11-2012 "Streebog" (RFC 6986), which node:crypto lacks and
 * src/crypto/gost implements.
 */
export const DIGEST_ALGORITHMS = ['sha-256', 'sha-384', 'sha-512', 'streebog-256', 'streebog-512'] as const;
export type DigestAlgorithm = (typeof DIGEST_ALGORITHMS)[number];

/** The digests node:crypto computes itself; the others are Streebog. */
type NodeDigest = 'sha-256' | 'sha-384' | 'sha-512';

const NODE_NAME = {
  'sha-256': 'sha256',
  'sha-384': 'sha384',
  'sha-512': 'sha512',
} as const satisfies Record<NodeDigest, string>;

const STREEBOG_BITS = {
  'streebog-256': 256,
  'streebog-512': 512,
} as const satisfies Record<Exclude<DigestAlgorithm, NodeDigest>, StreebogBits>;

const DIGEST_OID = {
  'sha-256': OID.sha256,
  'sha-384': OID.sha384,
  'sha-512': OID.sha512,
  // RFC 9215 §2.1: id-tc26-gost3411-12-256 / -512.
  'streebog-256': GOST_OIDS.digest256,
  'streebog-512': GOST_OIDS.digest512,
} as const satisfies Record<DigestAlgorithm, string>;

const DIGEST_LENGTH = {
  'sha-256': 32,
  'sha-384': 48,
  'sha-512': 64,
  'streebog-256': 32,
  'streebog-512': 64,
} as const satisfies Record<DigestAlgorithm, number>;

function isNodeDigest(algorithm: DigestAlgorithm): algorithm is NodeDigest {
  return algorithm in NODE_NAME;
}

/** An incremental hash: feed chunks with `update`, read the digest once with `digest`. */
export interface Hasher {
  update(chunk: Uint8Array): void;
  digest(): Buffer;
}

/** Creates an incremental hasher for `algorithm` (streaming, constant memory). */
export function createHasher(algorithm: DigestAlgorithm): Hasher {
  if (!isNodeDigest(algorithm)) return createStreebog(STREEBOG_BITS[algorithm]);
  const hash = createHash(NODE_NAME[algorithm]);
  return {
    update(chunk) {
      hash.update(chunk);
    },
    digest() {
      return hash.digest();
    },
  };
}

/** One-shot digest of an in-memory buffer. */
export function digestBytes(algorithm: DigestAlgorithm, bytes: Uint8Array): Buffer {
  if (!isNodeDigest(algorithm)) return streebog(STREEBOG_BITS[algorithm], bytes);
  return createHash(NODE_NAME[algorithm]).update(bytes).digest();
}

/** Length of the digest in bytes. */
export function digestLength(algorithm: DigestAlgorithm): number {
  return DIGEST_LENGTH[algorithm];
}

/** The ASN.1 OID of a digest algorithm (RFC 5754 for SHA-2, RFC 9215 §2.1 for Streebog). */
export function digestAlgorithmOid(algorithm: DigestAlgorithm): string {
  return DIGEST_OID[algorithm];
}

/** Maps a digest OID back to its name, or `undefined` when the gateway does not support it. */
export function digestAlgorithmFromOid(oid: string): DigestAlgorithm | undefined {
  for (const name of DIGEST_ALGORITHMS) {
    if (DIGEST_OID[name] === oid) return name;
  }
  return undefined;
}

/** Whether node:crypto (`crypto.sign`, `crypto.verify`, `createHash`) knows the hash; Streebog it does not. */
export function isNodeHash(algorithm: DigestAlgorithm): boolean {
  return isNodeDigest(algorithm);
}

/**
 * Node's name for the hash (`sha256` ...), for `crypto.sign`/`crypto.verify`.
 * @throws Error for Streebog, which node:crypto does not implement: use {@link digestBytes} or
 *   {@link createHasher}, which work for every algorithm.
 */
export function nodeHashName(algorithm: DigestAlgorithm): string {
  if (!isNodeDigest(algorithm)) throw new Error(`node:crypto has no ${algorithm}; use digestBytes/createHasher`);
  return NODE_NAME[algorithm];
}
