import { open as openFile, rm } from 'node:fs/promises';
import { Transform, Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { crc32, inflateRawSync } from 'node:zlib';
import yauzl from 'yauzl';
import { createHasher, type DigestAlgorithm, type Hasher } from '../../crypto/digest.ts';
import { openContainerSource, type ContainerSource } from './container-source.ts';
import { collisionKey, DEFAULT_MAX_PATH_BYTES, isSafeContainerPath } from './paths.ts';

export interface ContainerLimits {
  /** Most entries (files and directories) the central directory may list. */
  maxEntries: number;
  /** Largest declared uncompressed size of one entry. */
  maxEntryBytes: number;
  /** Largest sum of declared uncompressed sizes. */
  maxTotalBytes: number;
  /**
   * Largest declared uncompressed/compressed ratio, checked only for entries whose declared
   * uncompressed size exceeds {@link RATIO_CHECK_THRESHOLD_BYTES}: a small XML file may legitimately
   * compress very well, and a small entry cannot exhaust anything however it compresses.
   */
  maxCompressionRatio: number;
  /** Longest entry path in UTF-8 bytes. */
  maxPathBytes: number;
}

/** Entries at most this large (declared, uncompressed) are exempt from the compression-ratio check. */
export const RATIO_CHECK_THRESHOLD_BYTES = 1024 * 1024;

/**
 * Defaults sized for letters: a few hundred files of up to 4 GiB each. The ratio limit of 200 is
 * far above what PDFs, XML signatures or office files reach at sizes over 1 MiB, and far below
 * DEFLATE's maximum of about 1032 that bombs use.
 */
export const DEFAULT_CONTAINER_LIMITS: ContainerLimits = Object.freeze({
  maxEntries: 2000,
  maxEntryBytes: 4 * 1024 ** 3,
  maxTotalBytes: 8 * 1024 ** 3,
  maxCompressionRatio: 200,
  maxPathBytes: DEFAULT_MAX_PATH_BYTES,
});

export const CONTAINER_ERROR_CODES = [
  'ZIP_UNREADABLE',
  'ZIP_TOO_MANY_ENTRIES',
  'ZIP_UNSAFE_PATH',
  'ZIP_DUPLICATE_ENTRY',
  'ZIP_LINK_ENTRY',
  'ZIP_ENCRYPTED',
  'ZIP_TOO_LARGE',
  'ZIP_BOMB',
  'ZIP_UNSUPPORTED_METHOD',
  'ZIP_ENTRY_NOT_FOUND',
  'ZIP_ENTRY_TOO_LARGE',
  'ZIP_CRC_MISMATCH',
  'ZIP_SIZE_MISMATCH',
] as const;
export type ContainerErrorCode = (typeof CONTAINER_ERROR_CODES)[number];

export interface ContainerError {
  code: ContainerErrorCode;
  message: string;
  path?: string;
}

export type ContainerResult<T> = { ok: true; value: T } | { ok: false; error: ContainerError };

export interface ContainerEntryInfo {
  /** Declared uncompressed size (enforced while reading). */
  size: number;
  compressedSize: number;
  compressed: boolean;
}

export interface ContainerReader {
  /** Every file entry by normalised path (directory entries are ignored, not listed). */
  entries: ReadonlyMap<string, ContainerEntryInfo>;
  /** The whole entry in memory; refused with ZIP_ENTRY_TOO_LARGE if it declares more than `maxBytes`. */
  readEntry(path: string, maxBytes: number): Promise<ContainerResult<Buffer>>;
  /** Streams the entry once through the requested hashes. */
  digestEntry(
    path: string,
    algorithms: readonly DigestAlgorithm[],
  ): Promise<ContainerResult<{ size: number; digests: Partial<Record<DigestAlgorithm, Buffer>> }>>;
  /**
   * Streams the entry into a new file (created exclusively: an existing file or a planted symlink
   * at `destinationPath` makes it throw). A partly written file is removed when the entry fails
   * verification.
   */
  extractEntry(path: string, destinationPath: string): Promise<ContainerResult<{ size: number }>>;
  /** Releases the file descriptor once no entry is being read. Idempotent. */
  close(): Promise<void>;
}

export interface OpenContainerOptions {
  path: string;
  limits?: Partial<ContainerLimits>;
}

interface EntryRecord {
  entry: yauzl.Entry;
  info: ContainerEntryInfo;
}

const FLAG_ENCRYPTED = 0x0001;
const FLAG_STRONG_ENCRYPTION = 0x0040;
const FLAG_UTF8 = 0x0800;
const EXTRA_UNICODE_PATH = 0x7075;
const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const DOS_DIRECTORY = 0x10;
const METHOD_STORE = 0;
const METHOD_DEFLATE = 8;
const CENTRAL_HEADER_MIN = 46;
const LOCAL_HEADER_MIN = 30;

/**
 * Opens a container ZIP (PKWARE APPNOTE.TXT 6.3) as hostile input (SPEC §3). The whole central
 * directory is checked before any entry data is read, and the container is refused as a whole on:
 * more entries than allowed (counted from the end-of-central-directory record, before iterating),
 * unsafe or ambiguous names ({@link isSafeContainerPath}; non-ASCII names without the UTF-8 flag;
 * a Unicode Path extra field that disagrees), duplicates (also case-insensitively, and a file
 * that is also a directory prefix), links and other non-regular entries, encryption, methods other
 * than STORE and DEFLATE, declared sizes over the limits, declared ratios over the limit, and
 * overlapping entries (the "non-recursive zip bomb" construction). Later reads enforce the declared
 * sizes and CRC-32 byte by byte. Never throws for bad input and never leaks a descriptor.
 */
export async function openContainer(options: OpenContainerOptions): Promise<ContainerResult<ContainerReader>> {
  const limits: ContainerLimits = { ...DEFAULT_CONTAINER_LIMITS, ...options.limits };
  let source: ContainerSource;
  try {
    source = await openContainerSource(options.path);
  } catch (err) {
    return failure('ZIP_UNREADABLE', `cannot open the container: ${messageOf(err)}`);
  }
  let zip: yauzl.ZipFile;
  try {
    zip = await new Promise<yauzl.ZipFile>((resolveZip, reject) => {
      yauzl.fromRandomAccessReader(
        source.reader,
        source.size,
        // Names are decoded here rather than by yauzl, which would rewrite `\` to `/` and reject
        // unsafe names with untyped errors before we could classify them. Entry sizes are checked
        // here during the scan (so an encrypted entry is reported as such, not as a size mismatch)
        // and by yauzl again once data is streamed.
        { lazyEntries: true, autoClose: false, decodeStrings: false, validateEntrySizes: false, strictFileNames: true },
        (err, zipfile) => (err ? reject(err) : resolveZip(zipfile)),
      );
    });
  } catch (err) {
    // yauzl leaves the descriptor open when it rejects the file.
    await source.discard();
    return failure('ZIP_UNREADABLE', `not a readable ZIP: ${messageOf(err)}`);
  }
  // yauzl reports descriptor-close failures as events; without a listener they would be thrown.
  let resolveClosed: () => void = () => undefined;
  const closed = new Promise<void>((r) => {
    resolveClosed = r;
  });
  zip.once('close', () => resolveClosed());
  // A failed close() of the descriptor still ends the reader's life.
  zip.on('error', () => {
    if (!zip.isOpen) resolveClosed();
  });

  const scanned = await scanCentralDirectory(zip, limits);
  if (!scanned.ok) {
    zip.close();
    await closed;
    return scanned;
  }
  zip.validateEntrySizes = true;
  return { ok: true, value: createReader(zip, scanned.value, closed, source) };
}

async function scanCentralDirectory(zip: yauzl.ZipFile, limits: ContainerLimits): Promise<ContainerResult<Map<string, EntryRecord>>> {
  if (zip.entryCount > limits.maxEntries) {
    return failure('ZIP_TOO_MANY_ENTRIES', `the container declares ${zip.entryCount} entries; at most ${limits.maxEntries} are allowed`);
  }
  if (zip.entryCount * CENTRAL_HEADER_MIN > zip.fileSize) {
    return failure('ZIP_UNREADABLE', `the container declares ${zip.entryCount} entries, more than its size can hold`);
  }

  const files = new Map<string, EntryRecord>();
  const fileKeys = new Map<string, string>();
  const directoryKeys = new Map<string, string>();
  const spans: { start: number; end: number; path: string }[] = [];
  let total = 0;

  const check = (entry: yauzl.Entry): ContainerError | undefined => {
    const decoded = decodeName(entry, limits);
    if (!decoded.ok) return decoded.error;
    const name = decoded.value;
    const isDirectory = name.endsWith('/');
    const path = isDirectory ? name.slice(0, -1) : name;
    if (!isSafeContainerPath(path, limits.maxPathBytes)) return error('ZIP_UNSAFE_PATH', `unsafe entry path ${JSON.stringify(name)}`, name);

    if ((entry.generalPurposeBitFlag & (FLAG_ENCRYPTED | FLAG_STRONG_ENCRYPTION)) !== 0) {
      return error('ZIP_ENCRYPTED', `${path} is encrypted`, path);
    }
    const fileType = (entry.externalFileAttributes >>> 16) & S_IFMT;
    const dosDirectory = (entry.externalFileAttributes & DOS_DIRECTORY) !== 0;
    if (isDirectory) {
      if (fileType !== 0 && fileType !== S_IFDIR) return error('ZIP_LINK_ENTRY', `${name} is not a directory or regular file`, path);
    } else if ((fileType !== 0 && fileType !== S_IFREG) || dosDirectory) {
      return error('ZIP_LINK_ENTRY', `${path} is a link or another non-regular entry (mode ${fileType.toString(8)})`, path);
    }
    if (entry.compressionMethod !== METHOD_STORE && entry.compressionMethod !== METHOD_DEFLATE) {
      return error('ZIP_UNSUPPORTED_METHOD', `${path} uses compression method ${entry.compressionMethod}`, path);
    }
    if (entry.compressionMethod === METHOD_STORE && entry.compressedSize !== entry.uncompressedSize) {
      return error('ZIP_SIZE_MISMATCH', `${path} is stored but declares ${entry.compressedSize} stored and ${entry.uncompressedSize} real bytes`, path);
    }
    if (entry.uncompressedSize > limits.maxEntryBytes) {
      return error('ZIP_TOO_LARGE', `${path} declares ${entry.uncompressedSize} bytes; the limit is ${limits.maxEntryBytes}`, path);
    }
    total += entry.uncompressedSize;
    if (total > limits.maxTotalBytes) {
      return error('ZIP_TOO_LARGE', `the entries declare more than ${limits.maxTotalBytes} bytes in total`, path);
    }
    if (
      entry.uncompressedSize > RATIO_CHECK_THRESHOLD_BYTES &&
      entry.uncompressedSize > limits.maxCompressionRatio * entry.compressedSize
    ) {
      return error(
        'ZIP_BOMB',
        `${path} declares a compression ratio over ${limits.maxCompressionRatio} (${entry.uncompressedSize} from ${entry.compressedSize} bytes)`,
        path,
      );
    }

    const key = collisionKey(path);
    if (isDirectory) {
      // Some writers deflate the empty content (2 bytes); only real content is suspicious.
      if (entry.uncompressedSize !== 0) return error('ZIP_UNREADABLE', `directory entry ${name} has data`, path);
      const clash = fileKeys.get(key);
      if (clash !== undefined) return error('ZIP_DUPLICATE_ENTRY', `${name} collides with the file ${clash}`, path);
      directoryKeys.set(key, name);
    } else {
      const clash = fileKeys.get(key) ?? directoryKeys.get(key);
      if (clash !== undefined) {
        const how = clash === path ? 'appears twice' : `collides with ${clash} on a case-insensitive file system`;
        return error('ZIP_DUPLICATE_ENTRY', `${path} ${how}`, path);
      }
      fileKeys.set(key, path);
      files.set(path, {
        entry,
        info: { size: entry.uncompressedSize, compressedSize: entry.compressedSize, compressed: entry.compressionMethod === METHOD_DEFLATE },
      });
    }
    spans.push({
      start: entry.relativeOffsetOfLocalHeader,
      end: entry.relativeOffsetOfLocalHeader + LOCAL_HEADER_MIN + entry.fileNameLength + entry.compressedSize,
      path,
    });
    return undefined;
  };

  const scanned = await new Promise<ContainerError | undefined>((resolveScan) => {
    zip.on('entry', (entry: yauzl.Entry) => {
      const problem = check(entry);
      if (problem !== undefined) {
        resolveScan(problem);
        return;
      }
      zip.readEntry();
    });
    zip.once('end', () => resolveScan(undefined));
    zip.once('error', (err: unknown) => resolveScan(classifyError(err)));
    zip.readEntry();
  });
  if (scanned !== undefined) return { ok: false, error: scanned };

  // A file that sits where another needs a directory cannot be extracted faithfully.
  for (const path of files.keys()) {
    const segments = path.split('/');
    for (let i = 1; i < segments.length; i++) {
      const clash = fileKeys.get(collisionKey(segments.slice(0, i).join('/')));
      if (clash !== undefined) return failure('ZIP_DUPLICATE_ENTRY', `${path} lies under ${clash}, which is a file`, path);
    }
  }
  // Entries sharing bytes multiply the output without raising any one entry's ratio.
  spans.sort((a, b) => a.start - b.start);
  for (let i = 1; i < spans.length; i++) {
    const previous = spans[i - 1];
    const current = spans[i];
    if (previous !== undefined && current !== undefined && previous.end > current.start) {
      return failure('ZIP_BOMB', `entries ${previous.path} and ${current.path} overlap`, current.path);
    }
  }
  const last = spans[spans.length - 1];
  if (last !== undefined && last.end > zip.fileSize) {
    return failure('ZIP_UNREADABLE', `${last.path} extends past the end of the file`, last.path);
  }
  return { ok: true, value: files };
}

// One decoder for every name: a non-streaming decode() starts from a clean state each call.
const UTF8_NAME = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function decodeName(entry: yauzl.Entry, limits: ContainerLimits): ContainerResult<string> {
  // With decodeStrings: false yauzl hands over the raw bytes despite the declared string type.
  const raw: unknown = entry.fileNameRaw;
  if (!Buffer.isBuffer(raw)) return failure('ZIP_UNREADABLE', 'entry name is missing');
  const shown = JSON.stringify(raw.toString('latin1'));
  if (raw.length > limits.maxPathBytes + 1) return failure('ZIP_UNSAFE_PATH', `entry name longer than ${limits.maxPathBytes} bytes`);
  let name: string;
  if ((entry.generalPurposeBitFlag & FLAG_UTF8) !== 0) {
    try {
      name = UTF8_NAME.decode(raw);
    } catch {
      return failure('ZIP_UNSAFE_PATH', `entry name ${shown} is flagged UTF-8 but is not valid UTF-8`);
    }
  } else {
    // CP437 is the legacy default; its ASCII half is the only part every tool decodes alike.
    if (raw.some((b) => b >= 0x80)) return failure('ZIP_UNSAFE_PATH', `entry name ${shown} is neither UTF-8-flagged nor ASCII`);
    name = raw.toString('latin1');
  }
  // Tools that honour the Info-ZIP Unicode Path field would extract under another name.
  for (const field of entry.extraFields) {
    if (field.id !== EXTRA_UNICODE_PATH) continue;
    const alternative = field.data.length > 5 ? field.data.subarray(5).toString('utf8') : '';
    if (alternative !== name) return failure('ZIP_UNSAFE_PATH', `entry ${shown} carries a different Unicode Path name`, name);
  }
  return { ok: true, value: name };
}

function createReader(zip: yauzl.ZipFile, files: Map<string, EntryRecord>, closed: Promise<void>, source: ContainerSource): ContainerReader {
  const entries = new Map<string, ContainerEntryInfo>();
  for (const [path, record] of files) entries.set(path, record.info);
  let open = true;
  // Direct reads on the descriptor must finish before yauzl closes it.
  const inFlight = new Set<Promise<unknown>>();
  const track = <T>(work: Promise<T>): Promise<T> => {
    inFlight.add(work);
    const done = (): void => {
      inFlight.delete(work);
    };
    work.then(done, done);
    return work;
  };

  const find = (path: string): ContainerResult<EntryRecord> => {
    if (!open) throw new Error('container reader is closed');
    const record = files.get(path);
    return record === undefined ? failure('ZIP_ENTRY_NOT_FOUND', `${path} is not in the container`, path) : { ok: true, value: record };
  };

  /**
   * Pipes the verified bytes of one entry into `sink`. The result is a ContainerError for anything
   * wrong with the container; I/O errors of the sink (and of the disk) are thrown.
   */
  const stream = async (path: string, record: EntryRecord, sink: Writable): Promise<ContainerResult<number>> => {
    const opened = await openEntryStream(zip, record.entry, path);
    if (!opened.ok) {
      sink.destroy();
      return opened;
    }
    const verifier = createVerifier(record.entry, path);
    try {
      await pipeline(opened.value, verifier.transform, sink);
    } catch (err) {
      const coded = codeOf(err);
      if (coded !== undefined) return { ok: false, error: { ...coded, path } };
      if (isSystemError(err)) throw err;
      return failure('ZIP_UNREADABLE', `${path}: ${messageOf(err)}`, path);
    }
    return { ok: true, value: verifier.count() };
  };

  return {
    entries,

    async readEntry(path, maxBytes) {
      const found = find(path);
      if (!found.ok) return found;
      if (found.value.info.size > maxBytes) {
        return failure('ZIP_ENTRY_TOO_LARGE', `${path} is ${found.value.info.size} bytes; at most ${maxBytes} may be read into memory`, path);
      }
      const whole = await track(readWhole(source, found.value.entry, path));
      if (whole !== undefined) return whole;
      const chunks: Buffer[] = [];
      const sink = new Writable({
        write(chunk: Buffer, _encoding, callback) {
          chunks.push(chunk);
          callback();
        },
      });
      const streamed = await stream(path, found.value, sink);
      if (!streamed.ok) return streamed;
      return { ok: true, value: Buffer.concat(chunks) };
    },

    async digestEntry(path, algorithms) {
      const found = find(path);
      if (!found.ok) return found;
      const hashers = new Map<DigestAlgorithm, Hasher>();
      for (const alg of algorithms) if (!hashers.has(alg)) hashers.set(alg, createHasher(alg));
      const direct = await track(digestDirect(source, found.value.entry, path, [...hashers.values()]));
      if (direct !== undefined) {
        if (!direct.ok) return direct;
        const digests: Partial<Record<DigestAlgorithm, Buffer>> = {};
        for (const [alg, h] of hashers) digests[alg] = h.digest();
        return { ok: true, value: { size: direct.value, digests } };
      }
      const sink = new Writable({
        write(chunk: Buffer, _encoding, callback) {
          for (const h of hashers.values()) h.update(chunk);
          callback();
        },
      });
      const streamed = await stream(path, found.value, sink);
      if (!streamed.ok) return streamed;
      const digests: Partial<Record<DigestAlgorithm, Buffer>> = {};
      for (const [alg, h] of hashers) digests[alg] = h.digest();
      return { ok: true, value: { size: streamed.value, digests } };
    },

    async extractEntry(path, destinationPath) {
      const found = find(path);
      if (!found.ok) return found;
      // Exclusive create: never write through a symlink or over a file someone else put there.
      const handle = await openFile(destinationPath, 'wx');
      const sink = handle.createWriteStream({ flush: true });
      let streamed: ContainerResult<number>;
      try {
        streamed = await stream(path, found.value, sink);
      } catch (err) {
        await rm(destinationPath, { force: true });
        throw err;
      } finally {
        if (!sink.closed) await new Promise<void>((r) => sink.once('close', () => r()));
      }
      if (!streamed.ok) {
        await rm(destinationPath, { force: true });
        return streamed;
      }
      return { ok: true, value: { size: streamed.value } };
    },

    async close() {
      if (open) {
        open = false;
        await Promise.allSettled([...inFlight]);
        zip.close();
      }
      await closed;
    },
  };
}

const CHUNK_BYTES = 1024 * 1024;
// Room for the local extra field in the first read; a longer one takes the general path.
const LOCAL_EXTRA_SLACK = 1024;
const WHOLE_MAX_BYTES = 16 * 1024 * 1024;

interface LocalRead {
  /** The first read: local header, name, extra field and up to `wantData` bytes of data. */
  buffer: Buffer;
  /** Where the data starts, in the file and in `buffer`. */
  dataStart: number;
  dataInBuffer: number;
}

/**
 * Reads the local header (APPNOTE §4.3.7) and as much data as asked for in one read, with the
 * same checks as {@link openEntryStream}. `undefined` when the header does not fit the read;
 * the caller then takes the general path.
 */
async function readLocal(source: ContainerSource, entry: yauzl.Entry, path: string, wantData: number): Promise<ContainerResult<LocalRead> | undefined> {
  const at = entry.relativeOffsetOfLocalHeader;
  const fileSize = source.size;
  const length = Math.max(0, Math.min(fileSize - at, LOCAL_HEADER_MIN + entry.fileNameLength + LOCAL_EXTRA_SLACK + wantData));
  let buffer = source.view(at, length);
  let got = buffer?.length ?? 0;
  if (buffer === undefined) {
    buffer = Buffer.allocUnsafe(length);
    got = length === 0 ? 0 : await source.readAt(buffer, length, at);
  }
  if (got < LOCAL_HEADER_MIN) return undefined;
  if (buffer.readUInt32LE(0) !== 0x04034b50) return undefined;
  const nameLength = buffer.readUInt16LE(26);
  const extraLength = buffer.readUInt16LE(28);
  const dataInBuffer = LOCAL_HEADER_MIN + nameLength + extraLength;
  const dataStart = at + dataInBuffer;
  if (dataStart + entry.compressedSize > fileSize) return undefined;
  if (dataInBuffer > got) return undefined;
  const flags = buffer.readUInt16LE(6);
  const method = buffer.readUInt16LE(8);
  // The local header is what streaming extractors obey; it must tell the same story.
  if (!buffer.subarray(LOCAL_HEADER_MIN, LOCAL_HEADER_MIN + nameLength).equals(entry.fileNameRaw as unknown as Buffer)) {
    return failure('ZIP_UNSAFE_PATH', `${path}: the local header names a different file`, path);
  }
  if ((flags & (FLAG_ENCRYPTED | FLAG_STRONG_ENCRYPTION)) !== 0) {
    return failure('ZIP_ENCRYPTED', `${path}: the local header marks the entry encrypted`, path);
  }
  if (method !== entry.compressionMethod) {
    return failure('ZIP_UNREADABLE', `${path}: local and central headers disagree on the compression method`, path);
  }
  return { ok: true, value: { buffer: buffer.subarray(0, got), dataStart, dataInBuffer } };
}

/** The size and CRC-32 checks of {@link createVerifier}, for bytes already in memory. */
function checkDecoded(entry: yauzl.Entry, path: string, bytes: Buffer, crc: number): ContainerResult<Buffer> {
  if (bytes.length > entry.uncompressedSize) {
    return failure('ZIP_BOMB', `${path} holds more than the ${entry.uncompressedSize} bytes it declares`, path);
  }
  if (bytes.length !== entry.uncompressedSize) {
    return failure('ZIP_SIZE_MISMATCH', `${path} holds ${bytes.length} bytes but declares ${entry.uncompressedSize}`, path);
  }
  if (crc >>> 0 !== entry.crc32 >>> 0) {
    return failure('ZIP_CRC_MISMATCH', `${path}: CRC-32 is ${hex(crc)}, the header says ${hex(entry.crc32)}`, path);
  }
  return { ok: true, value: bytes };
}

/**
 * A small entry (XML, a signature) in one read instead of a header read plus a stream.
 * `undefined` sends the caller to the streaming path, which also classifies inflate errors.
 */
async function readWhole(source: ContainerSource, entry: yauzl.Entry, path: string): Promise<ContainerResult<Buffer> | undefined> {
  // Only what the caller agreed to hold in memory anyway: readEntry checked its bound already.
  if (entry.compressedSize > CHUNK_BYTES || entry.uncompressedSize > WHOLE_MAX_BYTES) return undefined;
  const local = await readLocal(source, entry, path, entry.compressedSize);
  if (local === undefined || !local.ok) return local;
  const { buffer, dataInBuffer } = local.value;
  if (dataInBuffer + entry.compressedSize > buffer.length) return undefined;
  const data = buffer.subarray(dataInBuffer, dataInBuffer + entry.compressedSize);
  let decoded: Buffer;
  if (entry.compressionMethod === METHOD_DEFLATE) {
    try {
      // One byte more than declared is enough to prove the header lies.
      decoded = inflateRawSync(data, { maxOutputLength: entry.uncompressedSize + 1 });
    } catch {
      return undefined;
    }
  } else {
    decoded = Buffer.from(data);
  }
  return checkDecoded(entry, path, decoded, crc32(decoded));
}

/**
 * Hashes a STORED entry straight from the descriptor in 1 MiB reads, the next read running while
 * the current chunk is hashed. Small DEFLATE entries are inflated in memory; large ones return
 * `undefined` for the streaming path.
 */
async function digestDirect(source: ContainerSource, entry: yauzl.Entry, path: string, hashers: readonly Hasher[]): Promise<ContainerResult<number> | undefined> {
  if (entry.compressionMethod !== METHOD_STORE) {
    // A large DEFLATE entry is streamed, so that memory stays bounded whatever it inflates to.
    if (entry.uncompressedSize > CHUNK_BYTES) return undefined;
    const whole = await readWhole(source, entry, path);
    if (whole === undefined || !whole.ok) return whole;
    for (const h of hashers) h.update(whole.value);
    return { ok: true, value: whole.value.length };
  }
  const size = entry.compressedSize;
  const local = await readLocal(source, entry, path, Math.min(size, CHUNK_BYTES));
  if (local === undefined || !local.ok) return local;
  const { buffer, dataStart, dataInBuffer } = local.value;
  let crc = 0;
  let done = Math.min(size, buffer.length - dataInBuffer);
  const first = buffer.subarray(dataInBuffer, dataInBuffer + done);
  const buffers = [Buffer.allocUnsafe(Math.min(CHUNK_BYTES, size)), Buffer.allocUnsafe(Math.min(CHUNK_BYTES, size))];
  const next = (k: number): Promise<Buffer> | undefined => {
    if (done >= size) return undefined;
    const buffer = buffers[k & 1] ?? Buffer.allocUnsafe(CHUNK_BYTES);
    const length = Math.min(CHUNK_BYTES, size - done);
    const position = dataStart + done;
    done += length;
    return source.readAt(buffer, length, position).then((got) => {
      if (got !== length) throw new Error(`${path}: unexpected end of the container`);
      return buffer.subarray(0, got);
    });
  };
  let pendingRead = next(0);
  crc = crc32(first, crc);
  for (const h of hashers) h.update(first);
  for (let k = 1; pendingRead !== undefined; k++) {
    let chunk: Buffer;
    try {
      chunk = await pendingRead;
    } catch (err) {
      if (isSystemError(err)) throw err;
      return failure('ZIP_UNREADABLE', messageOf(err), path);
    }
    pendingRead = next(k);
    crc = crc32(chunk, crc);
    for (const h of hashers) h.update(chunk);
  }
  if (crc >>> 0 !== entry.crc32 >>> 0) {
    return failure('ZIP_CRC_MISMATCH', `${path}: CRC-32 is ${hex(crc)}, the header says ${hex(entry.crc32)}`, path);
  }
  return { ok: true, value: size };
}

async function openEntryStream(zip: yauzl.ZipFile, entry: yauzl.Entry, path: string): Promise<ContainerResult<Readable>> {
  let local: yauzl.LocalFileHeader;
  try {
    local = await zip.readLocalFileHeaderPromise(entry);
  } catch (err) {
    return failure('ZIP_UNREADABLE', `${path}: ${messageOf(err)}`, path);
  }
  // The local header is what streaming extractors obey; it must tell the same story.
  if (!local.fileName.equals(entry.fileNameRaw as unknown as Buffer)) {
    return failure('ZIP_UNSAFE_PATH', `${path}: the local header names a different file`, path);
  }
  if ((local.generalPurposeBitFlag & (FLAG_ENCRYPTED | FLAG_STRONG_ENCRYPTION)) !== 0) {
    return failure('ZIP_ENCRYPTED', `${path}: the local header marks the entry encrypted`, path);
  }
  if (local.compressionMethod !== entry.compressionMethod) {
    return failure('ZIP_UNREADABLE', `${path}: local and central headers disagree on the compression method`, path);
  }
  try {
    const readable = await new Promise<Readable>((resolveStream, reject) => {
      zip.openReadStreamLowLevel(
        local.fileDataStart,
        entry.compressedSize,
        0,
        entry.compressedSize,
        entry.compressionMethod === METHOD_DEFLATE,
        entry.uncompressedSize,
        (err, s) => (err ? reject(err) : resolveStream(s)),
      );
    });
    return { ok: true, value: readable };
  } catch (err) {
    return { ok: false, error: { ...(classifyError(err)), path } };
  }
}

/**
 * Counts and CRC-checks the decoded bytes. More bytes than declared is the signature of a bomb
 * whose header lies to slip under the size limits, so the stream stops at the first excess byte.
 */
function createVerifier(entry: yauzl.Entry, path: string): { transform: Transform; count(): number } {
  let count = 0;
  let crc = 0;
  const transform = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      count += chunk.length;
      if (count > entry.uncompressedSize) {
        callback(codedError('ZIP_BOMB', `${path} holds more than the ${entry.uncompressedSize} bytes it declares`));
        return;
      }
      crc = crc32(chunk, crc);
      callback(null, chunk);
    },
    flush(callback) {
      if (count !== entry.uncompressedSize) {
        callback(codedError('ZIP_SIZE_MISMATCH', `${path} holds ${count} bytes but declares ${entry.uncompressedSize}`));
        return;
      }
      if (crc >>> 0 !== entry.crc32 >>> 0) {
        callback(codedError('ZIP_CRC_MISMATCH', `${path}: CRC-32 is ${hex(crc)}, the header says ${hex(entry.crc32)}`));
        return;
      }
      callback();
    },
  });
  return { transform, count: () => count };
}

const CODE = Symbol('containerErrorCode');
type CodedError = Error & { [CODE]: ContainerErrorCode };

function codedError(code: ContainerErrorCode, message: string): CodedError {
  return Object.assign(new Error(message), { [CODE]: code });
}

function codeOf(err: unknown): ContainerError | undefined {
  if (err instanceof Error && CODE in err) {
    const code = (err as CodedError)[CODE];
    return { code, message: err.message };
  }
  const classified = classifyError(err);
  return classified.code === 'ZIP_UNREADABLE' ? undefined : classified;
}

/** Maps yauzl's untyped errors (stable messages since 2.x) onto our codes. */
function classifyError(err: unknown): ContainerError {
  const message = messageOf(err);
  if (/too many bytes in the stream/u.test(message)) return { code: 'ZIP_BOMB', message };
  if (/not enough bytes in the stream|size mismatch for stored file/u.test(message)) return { code: 'ZIP_SIZE_MISMATCH', message };
  if (/encrypt/iu.test(message)) return { code: 'ZIP_ENCRYPTED', message };
  return { code: 'ZIP_UNREADABLE', message };
}

function isSystemError(err: unknown): boolean {
  return err instanceof Error && 'syscall' in err;
}

function failure(code: ContainerErrorCode, message: string, path?: string): { ok: false; error: ContainerError } {
  return { ok: false, error: error(code, message, path) };
}

function error(code: ContainerErrorCode, message: string, path?: string): ContainerError {
  return path === undefined ? { code, message } : { code, message, path };
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function hex(n: number): string {
  return (n >>> 0).toString(16).padStart(8, '0');
}
