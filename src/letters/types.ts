import type { KeyObject } from 'node:crypto';
import type { RsaScheme, SigningKey } from '../crypto/index.ts';

/**
 * Who signs: a private key with its certificate and the certificates up to (not including) the root.
 * The use-cases take `SigningIdentity<SigningKey>` (RSA, ECDSA or GOST); the default `KeyObject`
 * keeps code that hands the key to node:crypto itself typed as before.
 */
export interface SigningIdentity<Key extends SigningKey = KeyObject> {
  privateKey: Key;
  certificate: Buffer;
  chain: readonly Buffer[];
  rsaScheme?: RsaScheme;
}

/** A failure of a use-case, as a value: `code` is stable and machine-readable. */
export interface LetterError {
  code: LetterErrorCode;
  message: string;
  path?: string;
}

export const LETTER_ERROR_CODES = [
  'INPUT_INVALID',
  'FILE_UNREADABLE',
  'SIGNATURE_UNREADABLE',
  'SIGNATURE_UNMATCHED',
  'SIGNATURE_DOES_NOT_MATCH_FILE',
  'CONTAINER_UNREADABLE',
  'CONTAINER_NOT_RECOGNISED',
  'ENVELOPE_INVALID',
  'RECEIPT_INVALID',
  'IO_ERROR',
  'TIMESTAMP_FAILED',
] as const;
export type LetterErrorCode = (typeof LETTER_ERROR_CODES)[number];

export type LetterResult<T> = { ok: true; value: T } | { ok: false; error: LetterError };
