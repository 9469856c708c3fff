import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { CryptoResult } from './types.ts';

/** Key algorithms the development PKI can issue. GOST R 34.10-2012 joins when its engine lands. */
export const KEY_ALGORITHMS = ['ecdsa-p256', 'ecdsa-p384', 'rsa-2048', 'rsa-3072'] as const;
export type KeyAlgorithm = (typeof KEY_ALGORITHMS)[number];

export interface KeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
}

/** Generates a key pair with node:crypto (the OS CSPRNG). */
export function generateKeyPair(algorithm: KeyAlgorithm): KeyPair {
  switch (algorithm) {
    case 'ecdsa-p256':
      return generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    case 'ecdsa-p384':
      return generateKeyPairSync('ec', { namedCurve: 'secp384r1' });
    case 'rsa-2048':
      return generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 0x10001 });
    case 'rsa-3072':
      return generateKeyPairSync('rsa', { modulusLength: 3072, publicExponent: 0x10001 });
  }
}

/** The private key as unencrypted PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`), the form `openssl genpkey` writes. */
export function privateKeyToPem(key: KeyObject): string {
  return key.export({ type: 'pkcs8', format: 'pem' }).toString();
}

export type KeyErrorCode = 'KEY_UNREADABLE' | 'KEY_ENCRYPTED' | 'KEY_NOT_PRIVATE' | 'KEY_UNSUPPORTED';

/**
 * Reads a private key from PEM: PKCS#8 (`PRIVATE KEY`, what OpenSSL 3 writes by default), and the
 * traditional `RSA PRIVATE KEY` / `EC PRIVATE KEY` forms. Encrypted keys are refused with a clear
 * code (the CLI has no passphrase prompt). Only RSA, RSA-PSS and EC P-256/P-384 keys are usable.
 */
export function loadPrivateKeyPem(pem: Buffer | string): CryptoResult<KeyObject, KeyErrorCode> {
  const text = typeof pem === 'string' ? pem : pem.toString('latin1');
  if (/-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/u.test(text)) {
    return { ok: false, error: { code: 'KEY_ENCRYPTED', message: 'the private key is encrypted; decrypt it first (openssl pkey -in KEY -out PLAIN)' } };
  }
  if (!/-----BEGIN (?:RSA |EC )?PRIVATE KEY-----/u.test(text)) {
    const what = /-----BEGIN (?:PUBLIC KEY|CERTIFICATE)-----/u.test(text) ? 'a public key or certificate' : 'no PEM private key';
    return { ok: false, error: { code: 'KEY_NOT_PRIVATE', message: `expected a PKCS#8 PEM private key, found ${what}` } };
  }
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: text, format: 'pem' });
  } catch (error) {
    return { ok: false, error: { code: 'KEY_UNREADABLE', message: `cannot parse the private key: ${error instanceof Error ? error.message : String(error)}` } };
  }
  const type = key.asymmetricKeyType;
  if (type === 'rsa' || type === 'rsa-pss') return { ok: true, value: key };
  if (type === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (curve === 'prime256v1' || curve === 'secp384r1') return { ok: true, value: key };
    return { ok: false, error: { code: 'KEY_UNSUPPORTED', message: `EC curve ${curve ?? 'unknown'} is not supported (P-256, P-384)` } };
  }
  return { ok: false, error: { code: 'KEY_UNSUPPORTED', message: `key type ${type ?? 'unknown'} is not supported` } };
}
