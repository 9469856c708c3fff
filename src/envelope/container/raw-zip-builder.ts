/**
 * Test helper: a deliberately permissive ZIP builder (APPNOTE.TXT §4.3) that writes whatever it is
 * told — unsafe names, lying sizes, wrong CRCs, odd flags — so the reader can be tested against
 * containers no well-behaved writer would produce. Not for production use.
 */
import { crc32, deflateRawSync } from 'node:zlib';

export interface RawEntry {
  /** A string is written as UTF-8 with the language-encoding flag; a Buffer is written as is. */
  name: string | Buffer;
  /** The bytes stored after the local header (already compressed for method 8). */
  data: Buffer;
  method?: number;
  crc?: number;
  compressedSize?: number;
  uncompressedSize?: number;
  /** General purpose flags; defaults to 0x0800 for string names, 0 for Buffer names. */
  flags?: number;
  externalAttributes?: number;
  /** The name in the local header when it should differ from the central directory's. */
  localName?: Buffer;
  /** Central directory extra field bytes. */
  extra?: Buffer;
  /** Overrides the local header offset written in the central directory. */
  offset?: number;
}

/** A STORED entry with correct CRC and sizes, regular file mode 0644. */
export function storedEntry(name: string | Buffer, content: Buffer): RawEntry {
  return { name, data: content, method: 0, crc: crc32(content), uncompressedSize: content.length, externalAttributes: (0o100644 << 16) >>> 0 };
}

/** A DEFLATE entry with correct CRC and sizes. */
export function deflatedEntry(name: string | Buffer, content: Buffer): RawEntry {
  return { name, data: deflateRawSync(content), method: 8, crc: crc32(content), uncompressedSize: content.length, externalAttributes: (0o100644 << 16) >>> 0 };
}

export function buildZip(entries: readonly RawEntry[], options: { entryCount?: number } = {}): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = typeof e.name === 'string' ? Buffer.from(e.name, 'utf8') : e.name;
    const localName = e.localName ?? name;
    const flags = e.flags ?? (typeof e.name === 'string' ? 0x0800 : 0);
    const method = e.method ?? 0;
    const crc = e.crc ?? crc32(e.data);
    const compressedSize = e.compressedSize ?? e.data.length;
    const uncompressedSize = e.uncompressedSize ?? e.data.length;
    const extra = e.extra ?? Buffer.alloc(0);

    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(flags, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt16LE(0, 10);
    local.writeUInt16LE(0x21, 12); // 1980-01-01
    local.writeUInt32LE(crc >>> 0, 14);
    local.writeUInt32LE(compressedSize, 18);
    local.writeUInt32LE(uncompressedSize, 22);
    local.writeUInt16LE(localName.length, 26);
    local.writeUInt16LE(0, 28);
    const localOffset = offset;
    locals.push(local, localName, e.data);
    offset += local.length + localName.length + e.data.length;

    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(flags, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt16LE(0, 12);
    central.writeUInt16LE(0x21, 14);
    central.writeUInt32LE(crc >>> 0, 16);
    central.writeUInt32LE(compressedSize, 20);
    central.writeUInt32LE(uncompressedSize, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt16LE(extra.length, 30);
    central.writeUInt16LE(0, 32);
    central.writeUInt16LE(0, 34);
    central.writeUInt16LE(0, 36);
    central.writeUInt32LE((e.externalAttributes ?? (0o100644 << 16)) >>> 0, 38);
    central.writeUInt32LE(e.offset ?? localOffset, 42);
    centrals.push(central, name, extra);
  }
  const centralDirectory = Buffer.concat(centrals);
  const count = options.entryCount ?? entries.length;
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(0, 4);
  eocd.writeUInt16LE(0, 6);
  eocd.writeUInt16LE(Math.min(count, 0xffff), 8);
  eocd.writeUInt16LE(Math.min(count, 0xffff), 10);
  eocd.writeUInt32LE(centralDirectory.length, 12);
  eocd.writeUInt32LE(offset, 16);
  eocd.writeUInt16LE(0, 20);
  return Buffer.concat([...locals, centralDirectory, eocd]);
}
