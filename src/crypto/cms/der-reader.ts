/**
 * A minimal strict DER reader (ITU-T X.690 §8.1, §10.1): single-byte tags, definite minimal
 * lengths, children that exactly fill their parent. It exists because asn1js builds an object per
 * node and takes milliseconds for one signature; this one only records offsets. Anything it does
 * not accept returns `null`, and callers then fall back to the full asn1js/pkijs parser, which
 * decides (and words) the error.
 */

/** One element: identifier byte, and where its header, content and end are in the buffer. */
export interface Tlv {
  tag: number;
  start: number;
  contentStart: number;
  end: number;
}

/** Reads the element at `offset`, which must end at or before `limit`; `null` if it is not strict DER. */
export function readTlv(buf: Uint8Array, offset: number, limit: number): Tlv | null {
  if (offset + 2 > limit) return null;
  const tag = buf[offset] ?? 0;
  // High tag numbers (31+) never occur in the structures read here.
  if ((tag & 0x1f) === 0x1f) return null;
  const first = buf[offset + 1] ?? 0;
  let length: number;
  let contentStart: number;
  if (first < 0x80) {
    length = first;
    contentStart = offset + 2;
  } else {
    const count = first & 0x7f;
    // 0x80 is BER's indefinite form; more than 4 length bytes is beyond any signature.
    if (count === 0 || count > 4 || offset + 2 + count > limit) return null;
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + (buf[offset + 2 + i] ?? 0);
    // DER: the shortest form (X.690 §10.1).
    if (length < 0x80 || (buf[offset + 2] ?? 0) === 0) return null;
    contentStart = offset + 2 + count;
  }
  const end = contentStart + length;
  if (end > limit) return null;
  return { tag, start: offset, contentStart, end };
}

/** The elements that exactly fill `parent`'s content; `null` if it is primitive or they do not fit. */
export function readChildren(buf: Uint8Array, parent: Tlv): Tlv[] | null {
  if ((parent.tag & 0x20) === 0) return null;
  const out: Tlv[] = [];
  let offset = parent.contentStart;
  while (offset < parent.end) {
    const child = readTlv(buf, offset, parent.end);
    if (child === null) return null;
    out.push(child);
    offset = child.end;
  }
  return out;
}

/** The whole buffer as exactly one element. */
export function readTop(buf: Uint8Array): Tlv | null {
  const top = readTlv(buf, 0, buf.length);
  return top !== null && top.end === buf.length ? top : null;
}

/** Dotted form of an OBJECT IDENTIFIER element (X.690 §8.19); `null` if malformed. */
export function readOid(buf: Uint8Array, tlv: Tlv): string | null {
  if (tlv.tag !== 0x06 || tlv.end === tlv.contentStart) return null;
  const arcs: number[] = [];
  let value = 0;
  let fresh = true;
  for (let i = tlv.contentStart; i < tlv.end; i++) {
    const b = buf[i] ?? 0;
    // A leading 0x80 pads an arc, which DER forbids.
    if (fresh && b === 0x80) return null;
    value = value * 128 + (b & 0x7f);
    if (value > Number.MAX_SAFE_INTEGER / 128) return null;
    fresh = (b & 0x80) === 0;
    if (fresh) {
      arcs.push(value);
      value = 0;
    }
  }
  if (!fresh) return null;
  const head = arcs[0] ?? 0;
  const first = head < 40 ? 0 : head < 80 ? 1 : 2;
  return [first, head - first * 40, ...arcs.slice(1)].join('.');
}

/** A copy of the whole element (header included). */
export function bytesOf(buf: Uint8Array, tlv: Tlv): Buffer {
  return Buffer.from(buf.subarray(tlv.start, tlv.end));
}

/** A copy of the content bytes of the element. */
export function contentOf(buf: Uint8Array, tlv: Tlv): Buffer {
  return Buffer.from(buf.subarray(tlv.contentStart, tlv.end));
}
