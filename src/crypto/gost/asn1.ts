/**
 * The few DER (ITU-T X.690) shapes GOST keys need: SEQUENCE, INTEGER, OCTET STRING, BIT STRING,
 * OBJECT IDENTIFIER. Strict: definite lengths only, minimal length encoding, no trailing bytes.
 */

export interface Der {
  tag: number;
  /** Content bytes (a view into the input). */
  content: Uint8Array;
}

/** Reads every TLV of `bytes` in order; null on any malformation. */
export function readDerList(bytes: Uint8Array): Der[] | null {
  const out: Der[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    const tag = bytes[offset];
    const first = bytes[offset + 1];
    if (tag === undefined || first === undefined || (tag & 0x1f) === 0x1f) return null;
    let length = first;
    let header = 2;
    if (first >= 0x80) {
      const count = first & 0x7f;
      if (count === 0 || count > 4) return null;
      length = 0;
      for (let i = 0; i < count; i += 1) length = length * 256 + (bytes[offset + 2 + i] ?? -1e12);
      if (length < 0 || length < 0x80 || (count > 1 && (bytes[offset + 2] ?? 0) === 0)) return null;
      header += count;
    }
    const end = offset + header + length;
    if (end > bytes.length) return null;
    out.push({ tag, content: bytes.subarray(offset + header, end) });
    offset = end;
  }
  return out;
}

/** The single TLV that makes up `bytes` exactly, if it has the expected tag. */
export function readDerOne(bytes: Uint8Array, tag: number): Der | null {
  const list = readDerList(bytes);
  if (list === null || list.length !== 1 || list[0]?.tag !== tag) return null;
  return list[0];
}

export function decodeOid(content: Uint8Array): string | null {
  if (content.length === 0 || (content[content.length - 1] ?? 0) & 0x80) return null;
  const arcs: number[] = [];
  let value = 0;
  for (const byte of content) {
    if (value === 0 && byte === 0x80) return null;
    value = value * 128 + (byte & 0x7f);
    if (value > Number.MAX_SAFE_INTEGER / 256) return null;
    if ((byte & 0x80) === 0) {
      if (arcs.length === 0) {
        const first = value < 80 ? Math.floor(value / 40) : 2;
        arcs.push(first, value - 40 * first);
      } else arcs.push(value);
      value = 0;
    }
  }
  return arcs.join('.');
}

function encodeLength(length: number): number[] {
  if (length < 0x80) return [length];
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n & 0xff);
  return [0x80 | bytes.length, ...bytes];
}

export function derTlv(tag: number, ...parts: readonly Uint8Array[]): Buffer {
  const content = Buffer.concat(parts);
  return Buffer.concat([Buffer.from([tag, ...encodeLength(content.length)]), content]);
}

export function derOid(oid: string): Buffer {
  const arcs = oid.split('.').map(Number);
  const [a = 0, b = 0, ...rest] = arcs;
  const bytes: number[] = [];
  for (const arc of [40 * a + b, ...rest]) {
    const chunk: number[] = [arc & 0x7f];
    for (let n = Math.floor(arc / 128); n > 0; n = Math.floor(n / 128)) chunk.unshift(0x80 | (n & 0x7f));
    bytes.push(...chunk);
  }
  return derTlv(0x06, Buffer.from(bytes));
}

export const DER_TAG = { integer: 0x02, bitString: 0x03, octetString: 0x04, oid: 0x06, sequence: 0x30 } as const;
