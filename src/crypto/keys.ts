import { createPrivateKey, createPublicKey, generateKeyPairSync, KeyObject } from 'node:crypto';
import type { DigestAlgorithm } from './digest.ts';
import {
  generateGostKeyPair,
  GOST_OIDS,
  gostPrivateKeyToPkcs8Der,
  gostPublicKeyFromPrivate,
  gostPublicKeyToSpkiDer,
  parseGostPrivateKeyPkcs8,
  type GostParamSetName,
  type GostPrivateKey,
  type GostPublicKey,
} from './gost/index.ts';
import { DER_TAG, decodeOid, readDerList, readDerOne } from './gost/asn1.ts';
import { derToPem, pemToDerList } from './pem.ts';
import type { CryptoResult } from './types.ts';

/**
 * Key algorithms the development PKI can issue.
 *
 * `gost2012-256` uses the CryptoPro-A parameter set (id-GostR3410-2001-CryptoPro-A-ParamSet,
 * RFC 4357 §11.4, = TC26 256-B): it is the set CryptoPro CSP, and hence most accredited Russian
 * CAs, put in qualified GOST R 34.10-2012 256-bit signing certificates; TC26 256-A (the twisted
 * Edwards curve) is allowed but rare in practice. `gost2012-512` uses TC26 512-A, the 512-bit
 * default of the same tools.
 */
export const KEY_ALGORITHMS = ['ecdsa-p256', 'ecdsa-p384', 'rsa-2048', 'rsa-3072', 'gost2012-256', 'gost2012-512'] as const;
export type KeyAlgorithm = (typeof KEY_ALGORITHMS)[number];
export type GostKeyAlgorithm = Extract<KeyAlgorithm, `gost${string}`>;
export type NodeKeyAlgorithm = Exclude<KeyAlgorithm, GostKeyAlgorithm>;

const GOST_PARAM_SET: Record<GostKeyAlgorithm, GostParamSetName> = {
  'gost2012-256': 'cryptopro-A',
  'gost2012-512': 'tc26-512-A',
};

/**
 * A GOST R 34.10-2012 private key with its public key. node:crypto has no GOST, so such keys are
 * used through src/crypto/gost instead of a KeyObject; `type: 'gost'` tells them apart (a
 * KeyObject's `type` is `private`, `public` or `secret`).
 */
export interface GostSigningKey {
  readonly type: 'gost';
  readonly privateKey: GostPrivateKey;
  readonly publicKey: GostPublicKey;
}

/** A key that signs: a node:crypto private KeyObject (RSA, RSA-PSS, EC) or a GOST key. */
export type SigningKey = KeyObject | GostSigningKey;

/** A public key to certify: a node:crypto KeyObject or a GOST public key. */
export type SubjectPublicKey = KeyObject | GostPublicKey;

export interface KeyPair<Private extends SigningKey = SigningKey, Public extends SubjectPublicKey = SubjectPublicKey> {
  privateKey: Private;
  publicKey: Public;
}

export function isGostSigningKey(key: SigningKey): key is GostSigningKey {
  return key.type === 'gost';
}

/** Wraps a GOST private key as a SigningKey (its public key derived, Q = d·G). */
export function gostSigningKey(privateKey: GostPrivateKey): GostSigningKey {
  return { type: 'gost', privateKey, publicKey: gostPublicKeyFromPrivate(privateKey) };
}

/**
 * Generates a key pair from the OS CSPRNG: node:crypto for RSA/ECDSA, src/crypto/gost for
 * GOST R 34.10-2012 (RFC 7091 §6.1 key generation, d uniform in [1, q-1]).
 */
export function generateKeyPair(algorithm: NodeKeyAlgorithm): KeyPair<KeyObject, KeyObject>;
export function generateKeyPair(algorithm: GostKeyAlgorithm): KeyPair<GostSigningKey, GostPublicKey>;
export function generateKeyPair(algorithm: KeyAlgorithm): KeyPair;
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
    case 'gost2012-256':
    case 'gost2012-512': {
      const pair = generateGostKeyPair(GOST_PARAM_SET[algorithm]);
      // Only a broken random source fails here: an I/O-level bug, not an expected outcome.
      if (!pair.ok) throw new Error(pair.error.message);
      return { privateKey: { type: 'gost', ...pair.value }, publicKey: pair.value.publicKey };
    }
  }
}

/**
 * The private key as unencrypted PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`), the form
 * `openssl genpkey` writes (for GOST: byte for byte what `openssl genpkey -engine gost` writes).
 */
export function privateKeyToPem(key: SigningKey): string {
  if (isGostSigningKey(key)) return derToPem(gostPrivateKeyToPkcs8Der(key.privateKey), 'PRIVATE KEY');
  return key.export({ type: 'pkcs8', format: 'pem' }).toString();
}

/** The SubjectPublicKeyInfo DER of a public key, or of a signing key's public half (RFC 5280 §4.1.2.7, RFC 9215 §4.3). */
export function publicKeySpkiDer(key: SubjectPublicKey | SigningKey): Buffer {
  if (key instanceof KeyObject) {
    const pub = key.type === 'private' ? createPublicKey(key) : key;
    return pub.export({ type: 'spki', format: 'der' });
  }
  return gostPublicKeyToSpkiDer(isGostPublic(key) ? key : key.publicKey);
}

function isGostPublic(key: GostPublicKey | GostSigningKey): key is GostPublicKey {
  return !('type' in key);
}

/**
 * The digest a key signs with when `preferred` is asked for: GOST R 34.10-2012 keys sign
 * Streebog of their own size (RFC 9215 §3: 256-bit keys with Streebog-256, 512-bit with
 * Streebog-512); RSA/ECDSA keys sign the preferred SHA-2 digest, and SHA-256 when Streebog is
 * preferred (node:crypto cannot combine them, nor can `openssl cms` without the engine).
 */
export function signingDigestFor(key: SigningKey, preferred: DigestAlgorithm): DigestAlgorithm {
  if (isGostSigningKey(key)) return key.privateKey.paramSet.curve.bits === 256 ? 'streebog-256' : 'streebog-512';
  return preferred === 'streebog-256' || preferred === 'streebog-512' ? 'sha-256' : preferred;
}

export type KeyErrorCode = 'KEY_UNREADABLE' | 'KEY_ENCRYPTED' | 'KEY_NOT_PRIVATE' | 'KEY_UNSUPPORTED';

function checkPemShape(text: string): CryptoResult<true, KeyErrorCode> {
  if (/-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/u.test(text)) {
    return { ok: false, error: { code: 'KEY_ENCRYPTED', message: 'the private key is encrypted; decrypt it first (openssl pkey -in KEY -out PLAIN)' } };
  }
  if (!/-----BEGIN (?:RSA |EC )?PRIVATE KEY-----/u.test(text)) {
    const what = /-----BEGIN (?:PUBLIC KEY|CERTIFICATE)-----/u.test(text) ? 'a public key or certificate' : 'no PEM private key';
    return { ok: false, error: { code: 'KEY_NOT_PRIVATE', message: `expected a PKCS#8 PEM private key, found ${what}` } };
  }
  return { ok: true, value: true };
}

/** The algorithm OID of a PKCS#8 PrivateKeyInfo (RFC 5208 §5), or `undefined` if it is not one. */
function pkcs8AlgorithmOid(der: Uint8Array): string | undefined {
  const top = readDerOne(der, DER_TAG.sequence);
  const algorithm = top === null ? undefined : readDerList(top.content)?.[1];
  const oid = algorithm?.tag === DER_TAG.sequence ? readDerList(algorithm.content)?.[0] : undefined;
  return oid?.tag === DER_TAG.oid ? (decodeOid(oid.content) ?? undefined) : undefined;
}

// GOST R 34.10-2001 (RFC 4491) keys: recognised only to say clearly that they are not supported.
const GOST_2001_KEY_OID = '1.2.643.2.2.19';

/**
 * Reads a private key from PEM: PKCS#8 (`PRIVATE KEY`, what OpenSSL 3 writes by default), and the
 * traditional `RSA PRIVATE KEY` / `EC PRIVATE KEY` forms. Encrypted keys are refused with a clear
 * code (the CLI has no passphrase prompt). Only RSA, RSA-PSS and EC P-256/P-384 keys are usable
 * here, as node KeyObjects; GOST keys are read by {@link loadSigningKeyPem}.
 */
export function loadPrivateKeyPem(pem: Buffer | string): CryptoResult<KeyObject, KeyErrorCode> {
  const text = typeof pem === 'string' ? pem : pem.toString('latin1');
  const shape = checkPemShape(text);
  if (!shape.ok) return shape;
  const [der] = pemToDerList(text, 'PRIVATE KEY');
  const algorithmOid = der === undefined ? undefined : pkcs8AlgorithmOid(der);
  if (algorithmOid === GOST_OIDS.publicKey256 || algorithmOid === GOST_OIDS.publicKey512) {
    return { ok: false, error: { code: 'KEY_UNSUPPORTED', message: 'a GOST R 34.10-2012 key is not a node:crypto key; read it with loadSigningKeyPem' } };
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

/**
 * Reads any private key the gateway signs with from PEM: everything {@link loadPrivateKeyPem}
 * reads, and GOST R 34.10-2012 256/512-bit keys in the PKCS#8 form of OpenSSL's GOST engine
 * (`openssl genpkey -engine gost -algorithm gost2012_256 -pkeyopt paramset:A`; RFC 9215 §4.3),
 * for every TC26 and CryptoPro parameter set.
 */
export function loadSigningKeyPem(pem: Buffer | string): CryptoResult<SigningKey, KeyErrorCode> {
  const text = typeof pem === 'string' ? pem : pem.toString('latin1');
  const shape = checkPemShape(text);
  if (!shape.ok) return shape;
  const [der] = pemToDerList(text, 'PRIVATE KEY');
  const algorithmOid = der === undefined ? undefined : pkcs8AlgorithmOid(der);
  if (der !== undefined && (algorithmOid === GOST_OIDS.publicKey256 || algorithmOid === GOST_OIDS.publicKey512)) {
    const parsed = parseGostPrivateKeyPkcs8(der);
    if (!parsed.ok) {
      const code = parsed.error.code === 'GOST_UNKNOWN_PARAM_SET' || parsed.error.code === 'GOST_UNSUPPORTED_ALGORITHM' ? 'KEY_UNSUPPORTED' : 'KEY_UNREADABLE';
      return { ok: false, error: { code, message: `GOST private key: ${parsed.error.message}` } };
    }
    return { ok: true, value: gostSigningKey(parsed.value) };
  }
  if (algorithmOid === GOST_2001_KEY_OID) {
    return { ok: false, error: { code: 'KEY_UNSUPPORTED', message: 'GOST R 34.10-2001 keys are not supported (only GOST R 34.10-2012)' } };
  }
  return loadPrivateKeyPem(text);
}
