import { createHash } from 'node:crypto';
import { OID } from './oids.ts';

/**
 * Digest algorithms the gateway accepts, by the names used in envelope.xml and reports.
 * GOST R 34.11-2012 (streebog-256/512) joins this list when its engine lands.
 */
export const DIGEST_ALGORITHMS = ['sha-256', 'sha-384', 'sha-512'] as const;
export type DigestAlgorithm = (typeof DIGEST_ALGORITHMS)[number];

const NODE_NAME = {
  'sha-256': 'sha256',
  'sha-384': 'sha384',
  'sha-512': 'sha512',
} as const satisfies Record<DigestAlgorithm, string>;

const DIGEST_OID = {
  'sha-256': OID.sha256,
  'sha-384': OID.sha384,
  'sha-512': OID.sha512,
} as const satisfies Record<DigestAlgorithm, string>;

/** An incremental hash: feed chunks with `update`, read the digest once with `digest`. */
export interface Hasher {
  update(chunk: Uint8Array): void;
  digest(): Buffer;
}

/** Creates an incremental hasher for `algorithm` (streaming, constant memory). */
export function createHasher(algorithm: DigestAlgorithm): Hasher {
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
  return createHash(NODE_NAME[algorithm]).update(bytes).digest();
}

/** The ASN.1 OID of a digest algorithm (RFC 5754). */
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

/** Node's name for the hash (`sha256` ...), for `crypto.sign`/`crypto.verify`. */
export function nodeHashName(algorithm: DigestAlgorithm): string {
  return NODE_NAME[algorithm];
}
