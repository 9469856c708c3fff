/**
 * A minimal DER writer (ITU-T X.690 §8, §10, §11) for the structures the gateway issues:
 * certificates of the development PKI and receipts' signed attributes. asn1js builds an object
 * graph per node and took ~6 ms per certificate; concatenating bytes takes microseconds, which
 * matters when a first start issues certificates for 738 participants.
 */

function lengthBytes(n: number): Uint8Array {
  if (n < 0x80) return Uint8Array.of(n);
  const out: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) out.unshift(v & 0xff);
  return Uint8Array.from([0x80 | out.length, ...out]);
}

/** One TLV with the given identifier octet and content. */
export function tlv(tag: number, content: Uint8Array): Buffer {
  return Buffer.concat([Uint8Array.of(tag), lengthBytes(content.length), content]);
}

export const seq = (...items: Uint8Array[]): Buffer => tlv(0x30, Buffer.concat(items));

/** SET OF: DER orders the elements by their encodings (X.690 §11.6). */
export const setOf = (...items: Uint8Array[]): Buffer => tlv(0x31, Buffer.concat([...items].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))));

/** [n] EXPLICIT (constructed, context-specific). */
export const explicit = (n: number, inner: Uint8Array): Buffer => tlv(0xa0 | n, inner);

/** [n] IMPLICIT primitive, context-specific. */
export const implicitPrimitive = (n: number, content: Uint8Array): Buffer => tlv(0x80 | n, content);

export function oid(dotted: string): Buffer {
  const arcs = dotted.split('.').map((a) => {
    if (!/^\d+$/u.test(a)) throw new Error(`bad OID ${dotted}`);
    return BigInt(a);
  });
  const [a = 0n, b = 0n, ...rest] = arcs;
  const out: number[] = [];
  for (const arc of [a * 40n + b, ...rest]) {
    const bytes: number[] = [Number(arc & 0x7fn)];
    for (let v = arc >> 7n; v > 0n; v >>= 7n) bytes.unshift(Number(v & 0x7fn) | 0x80);
    out.push(...bytes);
  }
  return tlv(0x06, Uint8Array.from(out));
}

/** INTEGER from a non-negative number or unsigned big-endian bytes (minimal two's complement). */
export function integer(value: number | Uint8Array): Buffer {
  let bytes: Uint8Array;
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 0) throw new Error(`unsupported INTEGER ${value}`);
    const out: number[] = [];
    for (let v = value; v > 0; v = Math.floor(v / 256)) out.unshift(v & 0xff);
    bytes = Uint8Array.from(out.length === 0 ? [0] : out);
  } else {
    let i = 0;
    while (i < value.length - 1 && value[i] === 0) i++;
    bytes = value.slice(i);
    if (bytes.length === 0) bytes = Uint8Array.of(0);
  }
  if (((bytes[0] ?? 0) & 0x80) !== 0) bytes = Uint8Array.from([0, ...bytes]);
  return tlv(0x02, bytes);
}

export const bool = (v: boolean): Buffer => tlv(0x01, Uint8Array.of(v ? 0xff : 0x00));
export const nullDer = (): Buffer => Buffer.from([0x05, 0x00]);
export const octetString = (bytes: Uint8Array): Buffer => tlv(0x04, bytes);
export const bitString = (bytes: Uint8Array, unusedBits = 0): Buffer => tlv(0x03, Uint8Array.from([unusedBits, ...bytes]));
export const utf8String = (s: string): Buffer => tlv(0x0c, Buffer.from(s, 'utf8'));
export const printableString = (s: string): Buffer => {
  if (!/^[A-Za-z0-9 '()+,\-./:=?]*$/u.test(s)) throw new Error(`not a PrintableString: ${s}`);
  return tlv(0x13, Buffer.from(s, 'latin1'));
};
export const numericString = (s: string): Buffer => {
  if (!/^[0-9 ]*$/u.test(s)) throw new Error(`not a NumericString: ${s}`);
  return tlv(0x12, Buffer.from(s, 'latin1'));
};
export const ia5String = (s: string): Buffer => {
  if (!/^[\x00-\x7f]*$/u.test(s)) throw new Error(`not an IA5String: ${s}`);
  return tlv(0x16, Buffer.from(s, 'latin1'));
};

const two = (n: number): string => String(n).padStart(2, '0');

/** UTCTime YYMMDDHHMMSSZ (X.690 §11.8; RFC 5280 §4.1.2.5.1: only for 1950–2049). */
export function utcTime(d: Date): Buffer {
  const y = d.getUTCFullYear();
  if (y < 1950 || y > 2049) throw new Error(`UTCTime cannot hold ${y}`);
  return tlv(0x17, Buffer.from(`${two(y % 100)}${two(d.getUTCMonth() + 1)}${two(d.getUTCDate())}${two(d.getUTCHours())}${two(d.getUTCMinutes())}${two(d.getUTCSeconds())}Z`, 'latin1'));
}

/** GeneralizedTime YYYYMMDDHHMMSSZ without fractions (RFC 5280 §4.1.2.5.2). */
export function generalizedTime(d: Date): Buffer {
  return tlv(0x18, Buffer.from(`${String(d.getUTCFullYear()).padStart(4, '0')}${two(d.getUTCMonth() + 1)}${two(d.getUTCDate())}${two(d.getUTCHours())}${two(d.getUTCMinutes())}${two(d.getUTCSeconds())}Z`, 'latin1'));
}

/** RFC 5280 Time: UTCTime through 2049, GeneralizedTime from 2050. */
export const x509Time = (d: Date): Buffer => (d.getUTCFullYear() < 2050 ? utcTime(d) : generalizedTime(d));

/** Splits a DER SEQUENCE/SET into its direct children (strict: definite lengths only). */
export function children(der: Uint8Array, offset = 0): { tag: number; bytes: Buffer; content: Buffer }[] {
  const outer = readHeader(der, offset);
  const out: { tag: number; bytes: Buffer; content: Buffer }[] = [];
  let pos = outer.contentStart;
  while (pos < outer.end) {
    const h = readHeader(der, pos);
    out.push({ tag: h.tag, bytes: Buffer.from(der.subarray(pos, h.end)), content: Buffer.from(der.subarray(h.contentStart, h.end)) });
    pos = h.end;
  }
  if (pos !== outer.end) throw new Error('DER children overrun their parent');
  return out;
}

function readHeader(der: Uint8Array, offset: number): { tag: number; contentStart: number; end: number } {
  const tag = der[offset];
  const first = der[offset + 1];
  if (tag === undefined || first === undefined) throw new Error('truncated DER');
  let length = first;
  let contentStart = offset + 2;
  if (first >= 0x80) {
    const count = first & 0x7f;
    if (count === 0 || count > 4) throw new Error('unsupported DER length');
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + (der[offset + 2 + i] ?? 0);
    contentStart += count;
  }
  const end = contentStart + length;
  if (end > der.length) throw new Error('truncated DER');
  return { tag, contentStart, end };
}
