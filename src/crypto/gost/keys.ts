/**
 * GOST R 34.10-2012 keys in PKCS#8 PrivateKeyInfo and X.509 SubjectPublicKeyInfo, byte for byte
 * as OpenSSL's GOST engine writes them (RFC 9215 §4.3, RFC 4491 §2.3.2):
 *
 *   AlgorithmIdentifier = { id-tc26-gost3410-12-256|512, SEQUENCE { paramSet OID [, digest OID] } }
 *   public key  = BIT STRING wrapping an OCTET STRING of x || y, each LITTLE-endian
 *   private key = OCTET STRING of d, LITTLE-endian (older writers used an INTEGER, big-endian,
 *                 or an OCTET STRING wrapping one of those; all are read)
 *
 * The engine omits the digest OID for the TC26 sets 256-A..D and 512-C and writes it for the
 * CryptoPro sets and 512-A/B; the writers below do the same.
 */
import { randomBytes } from 'node:crypto';
import { DER_TAG, decodeOid, derOid, derTlv, readDerList, readDerOne } from './asn1.ts';
import { GOST_PARAM_SETS, gostParamSetByOid, type GostParamSet, type GostParamSetName } from './curves.ts';
import { baseMultiply, isOnCurve, multiplyPoint } from './ec.ts';
import {
  bigIntToBytesLE,
  bytesToBigIntBE,
  bytesToBigIntLE,
  randomScalar,
  scalarLength,
  type GostPrivateKey,
  type GostPublicKey,
  type GostResult,
} from './gost3410.ts';
import { GOST_OIDS } from './oids.ts';

const OMIT_DIGEST: ReadonlySet<string> = new Set<GostParamSetName>(['tc26-256-A', 'tc26-256-B', 'tc26-256-C', 'tc26-256-D', 'tc26-512-C']);

function defaultDigestOid(paramSet: GostParamSet): string {
  return paramSet.curve.bits === 256 ? GOST_OIDS.digest256 : GOST_OIDS.digest512;
}

function algorithmIdentifier(paramSet: GostParamSet, digestOid: string): Buffer {
  const keyOid = paramSet.curve.bits === 256 ? GOST_OIDS.publicKey256 : GOST_OIDS.publicKey512;
  const params = OMIT_DIGEST.has(paramSet.name) ? [derOid(paramSet.oid)] : [derOid(paramSet.oid), derOid(digestOid)];
  return derTlv(DER_TAG.sequence, derOid(keyOid), derTlv(DER_TAG.sequence, ...params));
}

function malformed<T>(message: string): GostResult<T> {
  return { ok: false, error: { code: 'GOST_MALFORMED_DER', message } };
}

/** Reads the GOST AlgorithmIdentifier content: key size, parameter set and digest OID. */
function parseAlgorithm(content: Uint8Array): GostResult<{ paramSet: GostParamSet; digestOid: string }> {
  const parts = readDerList(content);
  const [oidTlv, paramsTlv] = parts ?? [];
  if (oidTlv?.tag !== DER_TAG.oid) return malformed('AlgorithmIdentifier without an OID');
  const keyOid = decodeOid(oidTlv.content);
  const bits = keyOid === GOST_OIDS.publicKey256 ? 256 : keyOid === GOST_OIDS.publicKey512 ? 512 : null;
  if (bits === null) return { ok: false, error: { code: 'GOST_UNSUPPORTED_ALGORITHM', message: `not a GOST R 34.10-2012 key: ${keyOid ?? '?'}` } };
  if (paramsTlv?.tag !== DER_TAG.sequence) return malformed('GOST key parameters missing');
  const params = readDerList(paramsTlv.content) ?? [];
  const [setTlv, digestTlv] = params;
  if (setTlv?.tag !== DER_TAG.oid) return malformed('GOST key parameters without a parameter set');
  const setOid = decodeOid(setTlv.content) ?? '';
  const paramSet = gostParamSetByOid(setOid);
  if (paramSet === undefined) return { ok: false, error: { code: 'GOST_UNKNOWN_PARAM_SET', message: `unknown GOST parameter set ${setOid}` } };
  if (paramSet.curve.bits !== bits) return { ok: false, error: { code: 'GOST_UNKNOWN_PARAM_SET', message: `parameter set ${setOid} is not ${bits}-bit` } };
  let digestOid = defaultDigestOid(paramSet);
  if (digestTlv !== undefined) {
    if (digestTlv.tag !== DER_TAG.oid) return malformed('GOST digest parameter is not an OID');
    digestOid = decodeOid(digestTlv.content) ?? '';
    if (digestOid !== defaultDigestOid(paramSet)) {
      return { ok: false, error: { code: 'GOST_UNSUPPORTED_ALGORITHM', message: `digest ${digestOid} does not match a ${bits}-bit key` } };
    }
  }
  return { ok: true, value: { paramSet, digestOid } };
}

/** Parses a PKCS#8 PrivateKeyInfo (DER) holding a GOST R 34.10-2012 key. */
export function parseGostPrivateKeyPkcs8(der: Uint8Array): GostResult<GostPrivateKey> {
  const top = readDerOne(der, DER_TAG.sequence);
  const [version, algorithm, keyTlv] = (top === null ? null : readDerList(top.content)) ?? [];
  if (version?.tag !== DER_TAG.integer || algorithm?.tag !== DER_TAG.sequence || keyTlv?.tag !== DER_TAG.octetString) {
    return malformed('not a PKCS#8 PrivateKeyInfo');
  }
  const alg = parseAlgorithm(algorithm.content);
  if (!alg.ok) return alg;
  const { paramSet, digestOid } = alg.value;
  const length = scalarLength(paramSet.curve);
  let d: bigint;
  const inner = readDerOne(keyTlv.content, DER_TAG.octetString) ?? readDerOne(keyTlv.content, DER_TAG.integer);
  if (keyTlv.content.length === length) d = bytesToBigIntLE(keyTlv.content);
  else if (inner?.tag === DER_TAG.octetString && inner.content.length === length) d = bytesToBigIntLE(inner.content);
  else if (inner?.tag === DER_TAG.integer) d = bytesToBigIntBE(inner.content);
  else return malformed(`GOST private key is neither ${length} raw bytes nor a wrapped OCTET STRING/INTEGER`);
  if (d < 1n || d >= paramSet.curve.q) return { ok: false, error: { code: 'GOST_BAD_KEY', message: 'private key out of range [1, q-1]' } };
  return { ok: true, value: { paramSet, digestOid, d } };
}

/** Parses a SubjectPublicKeyInfo (DER); the point must lie on the curve, in the subgroup of order q. */
export function parseGostPublicKeySpki(der: Uint8Array): GostResult<GostPublicKey> {
  const top = readDerOne(der, DER_TAG.sequence);
  const [algorithm, bitString] = (top === null ? null : readDerList(top.content)) ?? [];
  if (algorithm?.tag !== DER_TAG.sequence || bitString?.tag !== DER_TAG.bitString || bitString.content[0] !== 0) {
    return malformed('not a SubjectPublicKeyInfo');
  }
  const alg = parseAlgorithm(algorithm.content);
  if (!alg.ok) return alg;
  const { paramSet, digestOid } = alg.value;
  const length = scalarLength(paramSet.curve);
  const octets = readDerOne(bitString.content.subarray(1), DER_TAG.octetString);
  if (octets === null || octets.content.length !== 2 * length) return malformed(`GOST public key is not an OCTET STRING of ${2 * length} bytes`);
  const Q = { x: bytesToBigIntLE(octets.content.subarray(0, length)), y: bytesToBigIntLE(octets.content.subarray(length)) };
  return checkPublicPoint(paramSet, digestOid, Q);
}

function checkPublicPoint(paramSet: GostParamSet, digestOid: string, Q: { x: bigint; y: bigint }): GostResult<GostPublicKey> {
  const curve = paramSet.curve;
  if (!isOnCurve(curve, Q)) return { ok: false, error: { code: 'GOST_BAD_KEY', message: 'public key point is not on the curve' } };
  // With a cofactor, a point on the curve may still lie outside the group of order q.
  if (curve.cofactor !== 1n && multiplyPoint(curve, Q, curve.q) !== null) {
    return { ok: false, error: { code: 'GOST_BAD_KEY', message: 'public key point is not in the subgroup of order q' } };
  }
  return { ok: true, value: { paramSet, digestOid, Q } };
}

/** Builds a public key from raw coordinates (e.g. a test vector), with the same checks as parsing. */
export function gostPublicKeyFromPoint(paramSet: GostParamSet, Q: { x: bigint; y: bigint }): GostResult<GostPublicKey> {
  return checkPublicPoint(paramSet, defaultDigestOid(paramSet), Q);
}

/** Q = d·G. */
export function gostPublicKeyFromPrivate(key: GostPrivateKey): GostPublicKey {
  const Q = baseMultiply(key.paramSet.curve, key.d);
  if (Q === null) throw new Error('d·G is the point at infinity: d is not a valid private key');
  return { paramSet: key.paramSet, digestOid: key.digestOid, Q };
}

/** PKCS#8 PrivateKeyInfo DER, as `openssl genpkey -engine gost` writes it (d as 32/64 raw little-endian bytes). */
export function gostPrivateKeyToPkcs8Der(key: GostPrivateKey): Buffer {
  const length = scalarLength(key.paramSet.curve);
  return derTlv(
    DER_TAG.sequence,
    derTlv(DER_TAG.integer, Buffer.from([0])),
    algorithmIdentifier(key.paramSet, key.digestOid),
    derTlv(DER_TAG.octetString, bigIntToBytesLE(key.d, length)),
  );
}

/** SubjectPublicKeyInfo DER (RFC 9215 §4.3). */
export function gostPublicKeyToSpkiDer(key: GostPublicKey): Buffer {
  const length = scalarLength(key.paramSet.curve);
  const point = derTlv(DER_TAG.octetString, bigIntToBytesLE(key.Q.x, length), bigIntToBytesLE(key.Q.y, length));
  return derTlv(DER_TAG.sequence, algorithmIdentifier(key.paramSet, key.digestOid), derTlv(DER_TAG.bitString, Buffer.from([0]), point));
}

/**
 * A new key pair on the named parameter set, d uniform in [1, q-1] from `random`
 * (node:crypto randomBytes by default).
 */
export function generateGostKeyPair(
  paramSetName: GostParamSetName,
  random: (length: number) => Uint8Array = (n) => randomBytes(n),
): GostResult<{ privateKey: GostPrivateKey; publicKey: GostPublicKey }> {
  const paramSet = GOST_PARAM_SETS[paramSetName];
  const d = randomScalar(paramSet.curve, random);
  if (d === null) return { ok: false, error: { code: 'GOST_RANDOM_FAILED', message: 'the random source gave no usable scalar' } };
  const privateKey: GostPrivateKey = { paramSet, digestOid: defaultDigestOid(paramSet), d };
  return { ok: true, value: { privateKey, publicKey: gostPublicKeyFromPrivate(privateKey) } };
}
