/**
 * Minimal DER (ITU-T X.690) helpers. Serialising by concatenating already-encoded TLVs keeps
 * embedded certificates and names byte-exact (re-encoding a parsed certificate could change
 * bytes and break its signature); asn1js encodes the primitives and parses.
 */
import * as asn1js from 'asn1js';

/** Tag bytes used below (X.690 §8.1.2). */
export const TAG = {
  integer: 0x02,
  octetString: 0x04,
  oid: 0x06,
  utcTime: 0x17,
  generalizedTime: 0x18,
  sequence: 0x30,
  set: 0x31,
  /** [0] IMPLICIT, constructed. */
  context0: 0xa0,
  /** [4] EXPLICIT (GeneralName directoryName), constructed. */
  context4: 0xa4,
} as const;

function encodeLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

/** One TLV with a single-byte tag whose content is the concatenation of `parts`. */
export function tlv(tag: number, ...parts: readonly Uint8Array[]): Buffer {
  const content = Buffer.concat(parts);
  return Buffer.concat([Buffer.from([tag]), encodeLength(content.length), content]);
}

// The same dozen OIDs are encoded for every signature, and asn1js is slow at it.
const oidCache = new Map<string, Buffer>();

export function derOid(oid: string): Buffer {
  let encoded = oidCache.get(oid);
  if (encoded === undefined) {
    encoded = Buffer.from(new asn1js.ObjectIdentifier({ value: oid }).toBER(false));
    if (oidCache.size < 256) oidCache.set(oid, encoded);
  }
  return Buffer.from(encoded);
}

// Versions (0..5) are the only integers encoded per signature.
const smallIntegers = Array.from({ length: 8 }, (_, value) => Buffer.from(new asn1js.Integer({ value }).toBER(false)));

export function derInteger(value: number): Buffer {
  const known = smallIntegers[value];
  return known === undefined ? Buffer.from(new asn1js.Integer({ value }).toBER(false)) : Buffer.from(known);
}

/**
 * DER SET OF: elements sorted by their encodings (X.690 §11.6). Comparing as unsigned byte
 * strings where a proper prefix sorts first equals the rule of padding the shorter with zeros.
 */
export function derSetOf(elements: readonly Buffer[]): Buffer {
  return tlv(TAG.set, ...[...elements].sort(Buffer.compare));
}

/** AlgorithmIdentifier with absent parameters (RFC 5754 §2 prefers absent for SHA-2). */
export function algorithmIdentifier(oid: string, parameters?: Buffer): Buffer {
  return tlv(TAG.sequence, derOid(oid), ...(parameters ? [parameters] : []));
}

/**
 * Time per RFC 5652 §11.3 / RFC 5280 §4.1.2.5: UTCTime for 1950..2049, GeneralizedTime
 * otherwise, seconds precision, always `Z`.
 */
export function derTime(date: Date): Buffer {
  const iso = new Date(Math.floor(date.getTime() / 1000) * 1000).toISOString();
  const year = date.getUTCFullYear();
  const digits = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
  if (year >= 1950 && year <= 2049) return tlv(TAG.utcTime, Buffer.from(digits.slice(2), 'latin1'));
  return tlv(TAG.generalizedTime, Buffer.from(digits, 'latin1'));
}

/**
 * Parses exactly one BER/DER element occupying all of `bytes`; `null` on any error or
 * trailing bytes (trailing garbage after a signature is a format error, not something to ignore).
 */
export function parseStrict(bytes: Uint8Array): asn1js.AsnType | null {
  if (bytes.length === 0) return null;
  const copy = new Uint8Array(bytes);
  let parsed: ReturnType<typeof asn1js.fromBER>;
  try {
    parsed = asn1js.fromBER(copy);
  } catch {
    // asn1js throws on some malformed times (e.g. a GeneralizedTime with a flipped digit).
    return null;
  }
  if (parsed.offset === -1 || parsed.offset !== copy.length) return null;
  if (parsed.result.error !== '') return null;
  return parsed.result;
}

/** The exact bytes an element was decoded from. */
export function rawBytes(block: asn1js.AsnType): Buffer {
  return Buffer.from(block.valueBeforeDecodeView);
}

/** Children of a constructed element, or `[]`. */
export function children(block: asn1js.AsnType): asn1js.AsnType[] {
  const value: unknown = (block.valueBlock as { value?: unknown }).value;
  return Array.isArray(value) ? (value as asn1js.AsnType[]) : [];
}

export function isContextTag(block: asn1js.AsnType, tagNumber: number): boolean {
  return block.idBlock.tagClass === 3 && block.idBlock.tagNumber === tagNumber;
}
