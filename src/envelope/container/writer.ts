import { randomBytes } from 'node:crypto';
import { closeSync, constants as fsConstants, fstatSync, fsync, openSync, readSync, renameSync, rmSync, statSync, writevSync, type Stats } from 'node:fs';
import { open, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { crc32, deflateRawSync } from 'node:zlib';
import { createHasher, digestBytes, type DigestAlgorithm, type Hasher } from '../../crypto/digest.ts';
import { openCrcStream } from './crc-worker.ts';
import { collisionKey, isSafeContainerPath } from './paths.ts';
export interface ContainerWriter {
  /**
   * Streams a file from disk into the ZIP as STORED (no compression — letters are mostly PDFs and
   * signatures must cover exact bytes) while computing the requested digests in the same pass.
   * Calls must be awaited one after another. A failure leaves the writer unusable: call `abort`.
   */
  addFile(
    path: string,
    sourcePath: string,
    options: { digests: readonly DigestAlgorithm[] },
  ): Promise<{ size: number; digests: Partial<Record<DigestAlgorithm, Buffer>> }>;
  /** Small in-memory entry (XML, .p7s). STORED unless `compress` is true. */
  addBuffer(path: string, bytes: Buffer, options?: { compress?: boolean }): void;
  /** Finishes the ZIP, fsyncs, and atomically renames the temp file to outputPath. */
  close(): Promise<void>;
  /** Discards everything; no output file remains (temp file removed). Safe to call twice / after a failure. */
  abort(): Promise<void>;
}

export interface CreateContainerWriterOptions {
  outputPath: string;
  /** Timestamp of every entry; defaults to 1980-01-01 00:00 (the DOS epoch) so output is reproducible. */
  mtime?: Date;
  /**
   * `false` skips the fsyncs for scratch output that a durable store takes over afterwards (the
   * gateway's blob store fsyncs once when it adopts the file). Default `true`.
   */
  durable?: boolean;
}

// Regular file, rw-r--r--: readers refuse anything that is not S_IFREG.
const FILE_MODE = 0o100644;

/**
 * Creates a streaming ZIP writer (PKWARE APPNOTE.TXT 6.3, ZIP64 when an entry or the archive needs
 * it) for a letter container (SPEC §3). Output goes to `<outputPath>.<random>.tmp` beside the
 * target and is renamed into place by `close` after an fsync, so a reader never sees a partial
 * container. Entry paths must satisfy {@link isSafeContainerPath} and be unique even
 * case-insensitively; a violation throws, because the caller chose the name.
 *
 * A file up to 1 MiB is read in one synchronous call and its entry assembled in memory. A larger
 * one is read once, in 1 MiB chunks, through its digests here and the native CRC-32 on a worker
 * thread (crc-worker.ts; the next chunk is read while the previous one is written); sizes come
 * from `stat` and the CRC is patched into the local header afterwards, so no data descriptors are
 * needed and memory stays constant.
 * Durable output of a large file is pushed to disk while it streams (an fdatasync every 2 MiB, in
 * the background), so the fsync at close is left with the tail instead of the whole file.
 *
 * @example
 * const writer = createContainerWriter({ outputPath: 'letter.edx' });
 * try {
 *   const { digests } = await writer.addFile('files/letter.pdf', '/tmp/letter.pdf', { digests: ['sha-256'] });
 *   writer.addBuffer('envelope.xml', xml);
 *   await writer.close();
 * } catch (e) {
 *   await writer.abort();
 *   throw e;
 * }
 */
export function createContainerWriter(options: CreateContainerWriterOptions): ContainerWriter {
  const outputPath = resolve(options.outputPath);
  const durable = options.durable !== false;
  const tempPath = `${outputPath}.${randomBytes(8).toString('hex')}.tmp`;
  // Local midnight, because DOS timestamps are local time: same bytes in every time zone.
  const { time: dosTime, date: dosDate } = dosDateTime(options.mtime ?? new Date(1980, 0, 1, 0, 0, 0, 0));

  const usedNames = new Set<string>();
  const central: CentralRecord[] = [];
  // Headers and small entries wait here and go out in one write before the next large file or at close.
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let offset = 0;
  let handle: FileHandle | undefined;
  let state: 'open' | 'closing' | 'closed' | 'aborted' = 'open';
  let failure: Error | undefined;

  // The temp file is created when a large file has to stream through it, or at close: a letter
  // of small files is assembled in memory and written, synced and renamed in one go.
  let opened: Promise<FileHandle> | undefined;
  const openTemp = (): Promise<FileHandle> => {
    opened ??= open(tempPath, 'wx').then((fh) => {
      handle = fh;
      return fh;
    });
    return opened;
  };
  // Operations run strictly in call order, like a queue, whatever the caller awaits.
  let chain: Promise<void> = Promise.resolve();

  const enqueue = <T>(op: () => Promise<T>): Promise<T> => {
    const run = chain.then(async () => {
      if (failure !== undefined) throw failure;
      if (state === 'aborted') throw new Error('container writer aborted');
      try {
        return await op();
      } catch (error) {
        const err = toError(error);
        failure ??= err;
        throw err;
      }
    });
    chain = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  };

  // Durable output: a large file goes to disk while it streams in (an fdatasync after every
  // WRITEBACK_BYTES written, one at a time, nobody waiting for it), so the fsync at close has the
  // last few MiB to write instead of the whole file. close and discard wait for it.
  let writeback: Promise<void> = Promise.resolve();
  let writebackRunning = false;
  let writebackError: Error | undefined;
  let unsynced = 0;
  const noteWritten = (fh: FileHandle, bytes: number): void => {
    unsynced += bytes;
    if (!durable || writebackRunning || unsynced < WRITEBACK_BYTES) return;
    unsynced = 0;
    writebackRunning = true;
    writeback = fh.datasync().then(
      () => {
        writebackRunning = false;
      },
      (error: unknown) => {
        writebackRunning = false;
        writebackError ??= toError(error);
      },
    );
  };

  const flushPending = async (fh: FileHandle): Promise<void> => {
    if (pending.length === 0) return;
    const buffers = pending;
    const position = offset - pendingBytes;
    pending = [];
    pendingBytes = 0;
    await writeAll(fh, buffers, position);
  };

  const queueBytes = (bytes: Buffer): void => {
    pending.push(bytes);
    pendingBytes += bytes.length;
    offset += bytes.length;
  };

  const assertOpen = (): void => {
    if (state !== 'open') throw new Error(`container writer is ${state}`);
    if (failure !== undefined) throw new Error(`container writer failed earlier: ${failure.message}`);
  };

  const claimName = (path: string): void => {
    if (!isSafeContainerPath(path)) throw new Error(`unsafe container path: ${JSON.stringify(path)}`);
    const key = collisionKey(path);
    if (usedNames.has(key)) throw new Error(`duplicate container path (case-insensitively): ${path}`);
    // A file "a" and a file "a/b" cannot both be extracted.
    const segments = path.split('/');
    for (let i = 1; i < segments.length; i++) {
      if (usedNames.has(collisionKey(segments.slice(0, i).join('/')))) {
        throw new Error(`container path ${path} lies under another entry`);
      }
    }
    for (const used of usedNames) {
      if (used.startsWith(`${key}/`)) throw new Error(`container path ${path} is a prefix of another entry`);
    }
    usedNames.add(key);
  };

  /** Queues the local header; returns its offset. */
  const queueLocalHeader = (name: Buffer, method: number, crc: number, size: number, compressedSize: number): number => {
    const at = offset;
    queueBytes(localHeader({ name, method, crc, size, compressedSize, dosTime, dosDate }));
    return at;
  };

  /**
   * A small source is read with synchronous calls: a read of a file under SMALL_FILE_BYTES takes
   * less time than one thread-pool round trip of the asynchronous API (measured on the CI machine:
   * ~40 µs for 100 KB against ~150–250 µs per round trip), and a letter is several of them.
   * The descriptor's own fstat decides: the file must still be the regular file of `expected` bytes.
   */
  const addSmallFile = (name: Buffer, sourcePath: string, expected: number, digests: readonly DigestAlgorithm[]): AddedFile => {
    const fd = openSync(sourcePath, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK);
    try {
      const info = fstatSync(fd);
      if (!info.isFile()) throw new Error(`not a regular file: ${sourcePath}`);
      if (info.size !== expected) throw new Error(`${sourcePath} changed while being read: ${info.size} of ${expected} bytes`);
      // One byte more than expected, so a file that grew is noticed without an extra read.
      const data = Buffer.allocUnsafe(expected + 1);
      let count = 0;
      for (;;) {
        const n = readSync(fd, data, count, data.length - count, count);
        if (n === 0) break;
        count += n;
        if (count > expected) throw new Error(`${sourcePath} grew while being read (expected ${expected} bytes)`);
      }
      if (count !== expected) throw new Error(`${sourcePath} changed while being read: ${count} of ${expected} bytes`);
      const bytes = data.subarray(0, count);
      const crc = crc32(bytes) >>> 0;
      const headerAt = queueLocalHeader(name, METHOD_STORE, crc, count, count);
      queueBytes(bytes);
      central.push({ name, method: METHOD_STORE, crc, size: count, compressedSize: count, headerAt });
      const result: Partial<Record<DigestAlgorithm, Buffer>> = {};
      for (const alg of new Set(digests)) result[alg] = digestBytes(alg, bytes);
      return { size: count, digests: result };
    } finally {
      closeSync(fd);
    }
  };

  /** A large source streams through the temp file in CHUNK_BYTES pieces (see the description above). */
  const addLargeFile = async (
    name: Buffer,
    sourcePath: string,
    prepared: Promise<[PromiseSettledResult<Stats>, PromiseSettledResult<FileHandle>]>,
    digests: readonly DigestAlgorithm[],
  ): Promise<AddedFile> => {
    const fh = await openTemp();
    const [statted, openedSource] = await prepared;
    if (statted.status === 'rejected' || openedSource.status === 'rejected') {
      // One of them may have succeeded: do not leak the descriptor.
      if (openedSource.status === 'fulfilled') await openedSource.value.close();
      throw toError(statted.status === 'rejected' ? statted.reason : openedSource.status === 'rejected' ? openedSource.reason : undefined);
    }
    const info = statted.value;
    const source = openedSource.value;
    if (!info.isFile()) {
      await source.close();
      throw new Error(`not a regular file: ${sourcePath}`);
    }
    const expected = info.size;
    const hashers = new Map<DigestAlgorithm, Hasher>();
    for (const alg of digests) if (!hashers.has(alg)) hashers.set(alg, createHasher(alg));
    // The CRC runs on the other core (crc-worker.ts) while this thread hashes.
    const crcStream = openCrcStream();
    const crcDone: Promise<void>[] = [];
    let crcFinished = false;
    let count = 0;
    try {
      // BUFFERS buffers in rotation: one being read, one being hashed, one being written (and the
      // worker's CRC a step behind), so the disk reads, the hashing, the CRC and the disk writes
      // of consecutive chunks overlap. Shared memory, so the CRC worker reads them in place.
      const bufferBytes = Math.min(CHUNK_BYTES, expected + 1);
      const buffers = Array.from({ length: BUFFERS }, () => Buffer.from(new SharedArrayBuffer(bufferBytes)));
      let position = 0;
      /** Reads chunk `k` into a buffer whose previous chunk is written and CRC'd; `last` when it reached the end. */
      const readChunk = async (k: number): Promise<{ chunk: Buffer; last: boolean }> => {
        await crcDone[k - BUFFERS];
        const buffer = buffers[k % BUFFERS] ?? Buffer.from(new SharedArrayBuffer(bufferBytes));
        // One byte more than is left, so a file that grew is noticed without an extra read.
        const wanted = Math.min(bufferBytes, expected - position + 1);
        const { bytesRead } = await source.read(buffer, 0, wanted, position);
        position += bytesRead;
        return { chunk: buffer.subarray(0, bytesRead), last: bytesRead < wanted };
      };
      const consume = (k: number, chunk: Buffer): void => {
        count += chunk.length;
        if (count > expected) throw new Error(`${sourcePath} grew while being read (expected ${expected} bytes)`);
        const crcOfChunk = crcStream.update(chunk);
        crcOfChunk.catch(() => undefined);
        crcDone[k] = crcOfChunk;
        for (const h of hashers.values()) h.update(chunk);
      };
      let current = await readChunk(0);
      let reading = current.last ? undefined : readChunk(1);
      reading?.catch(() => undefined);
      consume(0, current.chunk);
      // The CRC is patched into the local header once known (APPNOTE §4.4.7): no data descriptor.
      const headerAt = queueLocalHeader(name, METHOD_STORE, 0, expected, expected);
      queueBytes(current.chunk);
      let writing = flushPending(fh);
      for (let k = 2; reading !== undefined; k++) {
        current = await reading;
        // Chunk k − 1 is here; chunk k's buffer was last used by chunk k − BUFFERS (≤ k − 3),
        // whose write has completed (awaited below before the next write starts).
        reading = current.last ? undefined : readChunk(k);
        reading?.catch(() => undefined);
        consume(k - 1, current.chunk);
        await writing;
        noteWritten(fh, current.chunk.length);
        if (state === 'aborted') throw new Error('container writer aborted');
        writing = writeAll(fh, [current.chunk], offset);
        offset += current.chunk.length;
      }
      await writing;
      if (count !== expected) throw new Error(`${sourcePath} changed while being read: ${count} of ${expected} bytes`);
      crcFinished = true;
      const crc = await crcStream.finish();
      const crcBytes = Buffer.alloc(4);
      crcBytes.writeUInt32LE(crc >>> 0, 0);
      await writeAll(fh, [crcBytes], headerAt + 14);
      central.push({ name, method: METHOD_STORE, crc: crc >>> 0, size: count, compressedSize: count, headerAt });
    } finally {
      // Nothing waits on the read side's close: it only releases the descriptor.
      source.close().catch(() => undefined);
      // A failure before finish leaves the worker's running CRC of this stream behind: end it.
      if (!crcFinished && crcDone.length > 0) crcStream.finish().catch(() => undefined);
    }
    const result: Partial<Record<DigestAlgorithm, Buffer>> = {};
    for (const [alg, h] of hashers) result[alg] = h.digest();
    return { size: count, digests: result };
  };

  /** Central directory and end record, queued after the entries. */
  const queueTrailer = (): void => {
    const directoryAt = offset;
    for (const record of central) queueBytes(centralHeader(record, dosTime, dosDate));
    queueBytes(endOfCentralDirectory(central.length, offset - directoryAt, directoryAt));
  };

  /**
   * The whole container is in `pending`: one synchronous create + write + rename, with the
   * fsyncs (durable output) in the thread pool so the event loop does not wait for the disk.
   */
  const writeInOneGo = async (): Promise<void> => {
    const fd = openSync(tempPath, 'wx');
    let fdOpen = true;
    try {
      const buffers = pending;
      pending = [];
      pendingBytes = 0;
      writeAllSync(fd, buffers);
      if (durable) await fsyncFd(fd);
      // Closed once only: a descriptor number closed twice may already belong to another open.
      fdOpen = false;
      try {
        closeSync(fd);
      } catch (error) {
        // Without an fsync, close is where a file system may still report a failed write.
        if (!durable) throw error;
      }
      renameSync(tempPath, outputPath);
    } catch (error) {
      if (fdOpen) closeQuietly(fd);
      rmSync(tempPath, { force: true });
      throw error;
    }
    if (durable) await fsyncDirectory(dirname(outputPath));
  };

  return {
    async addFile(path, sourcePath, fileOptions) {
      assertOpen();
      claimName(path);
      const name = Buffer.from(path, 'utf8');
      // A stat costs microseconds synchronously; it picks the path. A source that is missing or
      // not a regular file takes the asynchronous path, which reports it.
      const looked = statIfPossible(sourcePath);
      if (looked !== undefined && looked.isFile() && looked.size <= SMALL_FILE_BYTES) {
        const expected = looked.size;
        return enqueue(async () => {
          const added = addSmallFile(name, sourcePath, expected, fileOptions.digests);
          if (pendingBytes > PENDING_LIMIT) await flushPending(await openTemp());
          return added;
        });
      }
      // Each file system call costs a thread-pool round trip: the source is looked at and opened
      // side by side, and already while earlier entries are written.
      // O_NONBLOCK, which changes nothing for a regular file, keeps the open of a FIFO from
      // waiting for a writer forever before the stat has had its say.
      const prepared = Promise.allSettled([stat(sourcePath), open(sourcePath, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK)]);
      let taken = false;
      const work = enqueue(() => {
        taken = true;
        return addLargeFile(name, sourcePath, prepared, fileOptions.digests);
      });
      try {
        return await work;
      } catch (error) {
        // The writer had failed before this entry's turn: release the source it opened.
        if (!taken) {
          const [, openedSource] = await prepared;
          if (openedSource.status === 'fulfilled') await openedSource.value.close().catch(() => undefined);
        }
        throw error;
      }
    },

    addBuffer(path, bytes, bufferOptions) {
      assertOpen();
      claimName(path);
      // STORED by default: deflate output differs between zlib versions and we want reproducible bytes.
      const compress = bufferOptions?.compress === true;
      const data = compress ? deflateRawSync(bytes) : Buffer.from(bytes);
      const crc = crc32(bytes) >>> 0;
      const method = compress ? METHOD_DEFLATE : METHOD_STORE;
      const name = Buffer.from(path, 'utf8');
      enqueue(async () => {
        const headerAt = queueLocalHeader(name, method, crc, bytes.length, data.length);
        queueBytes(data);
        central.push({ name, method, crc, size: bytes.length, compressedSize: data.length, headerAt });
      }).catch(() => undefined);
    },

    async close() {
      assertOpen();
      state = 'closing';
      try {
        await enqueue(async () => {
          queueTrailer();
          if (opened === undefined) {
            await writeInOneGo();
            return;
          }
          const fh = await opened;
          // Opened beside the last write and the fsync, so the directory's fsync waits for nothing else.
          const directory = durable ? open(dirname(outputPath), 'r') : undefined;
          directory?.catch(() => undefined);
          let closing: Promise<void> = Promise.resolve();
          try {
            await flushPending(fh);
            handle = undefined;
            if (!durable) {
              // Without an fsync, close is where a file system may still report a failed write.
              await fh.close();
            } else {
              try {
                await writeback;
                if (writebackError !== undefined) throw writebackError;
                await fh.sync();
              } catch (error) {
                await fh.close().catch(() => undefined);
                throw error;
              }
              // Once fsync has succeeded the bytes are on disk: closing only releases the
              // descriptor, so it runs beside the rename instead of before it.
              closing = fh.close();
              closing.catch(() => undefined);
            }
            await rename(tempPath, outputPath);
            await closing.catch(() => undefined);
          } catch (error) {
            void directory?.then((d) => d.close()).catch(() => undefined);
            throw error;
          }
          if (directory !== undefined) await fsyncDirectoryHandle(directory);
        });
      } catch (error) {
        state = 'aborted';
        await discard();
        throw toError(error);
      }
      state = 'closed';
    },

    async abort() {
      if (state === 'closed' || state === 'aborted') return;
      state = 'aborted';
      failure ??= new Error('container writer aborted');
      await discard();
    },
  };

  async function discard(): Promise<void> {
    await chain;
    await writeback;
    await opened?.catch(() => undefined);
    const fh = handle;
    handle = undefined;
    if (fh !== undefined) await fh.close().catch(() => undefined);
    pending = [];
    pendingBytes = 0;
    await rm(tempPath, { force: true });
  }
}

type AddedFile = Awaited<ReturnType<ContainerWriter['addFile']>>;

/** `stat` without throwing: undefined when the path cannot be looked at (the async path reports why). */
function statIfPossible(path: string): Stats | undefined {
  try {
    return statSync(path, { throwIfNoEntry: false });
  } catch {
    return undefined;
  }
}

function fsyncFd(fd: number): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    fsync(fd, (error) => (error === null ? resolvePromise() : reject(error)));
  });
}

/** Releases `fd` where its close can report nothing the caller still needs. */
function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // Nothing was promised by this descriptor any more.
  }
}

const CHUNK_BYTES = 1024 * 1024;
// Chunk buffers of a large file in rotation (see addLargeFile).
const BUFFERS = 4;
// Sources up to this size are read synchronously in one call and kept in memory until close.
const SMALL_FILE_BYTES = 1024 * 1024;
const WRITEBACK_BYTES = 2 * 1024 * 1024;
// Queued headers and small files are written together once they exceed this.
const PENDING_LIMIT = 4 * 1024 * 1024;
const METHOD_STORE = 0;
const METHOD_DEFLATE = 8;
const UTF8_FLAG = 0x0800;
// Made by Unix (3), spec 6.3: the external attributes carry a Unix mode.
const VERSION_MADE_BY = (3 << 8) | 63;
const VERSION_DEFAULT = 20;
const VERSION_ZIP64 = 45;
const U32_MAX = 0xffffffff;
const U16_MAX = 0xffff;

interface CentralRecord {
  name: Buffer;
  method: number;
  crc: number;
  size: number;
  compressedSize: number;
  headerAt: number;
}

function dosDateTime(d: Date): { time: number; date: number } {
  const year = Math.min(Math.max(d.getFullYear(), 1980), 2107);
  return {
    time: (d.getHours() << 11) | (d.getMinutes() << 5) | Math.floor(d.getSeconds() / 2),
    date: ((year - 1980) << 9) | ((d.getMonth() + 1) << 5) | d.getDate(),
  };
}

/** APPNOTE §4.3.7; with a ZIP64 extra field (§4.5.3) carrying both sizes when they do not fit. */
function localHeader(e: { name: Buffer; method: number; crc: number; size: number; compressedSize: number; dosTime: number; dosDate: number }): Buffer {
  const zip64 = e.size >= U32_MAX || e.compressedSize >= U32_MAX;
  const extra = zip64 ? Buffer.alloc(20) : Buffer.alloc(0);
  if (zip64) {
    extra.writeUInt16LE(0x0001, 0);
    extra.writeUInt16LE(16, 2);
    extra.writeBigUInt64LE(BigInt(e.size), 4);
    extra.writeBigUInt64LE(BigInt(e.compressedSize), 12);
  }
  const h = Buffer.alloc(30);
  h.writeUInt32LE(0x04034b50, 0);
  h.writeUInt16LE(zip64 ? VERSION_ZIP64 : VERSION_DEFAULT, 4);
  h.writeUInt16LE(UTF8_FLAG, 6);
  h.writeUInt16LE(e.method, 8);
  h.writeUInt16LE(e.dosTime, 10);
  h.writeUInt16LE(e.dosDate, 12);
  h.writeUInt32LE(e.crc >>> 0, 14);
  h.writeUInt32LE(zip64 ? U32_MAX : e.compressedSize, 18);
  h.writeUInt32LE(zip64 ? U32_MAX : e.size, 22);
  h.writeUInt16LE(e.name.length, 26);
  h.writeUInt16LE(extra.length, 28);
  return Buffer.concat([h, e.name, extra]);
}

/** APPNOTE §4.3.12; the ZIP64 extra field holds exactly the values that do not fit, in order. */
function centralHeader(r: CentralRecord, dosTime: number, dosDate: number): Buffer {
  const wide: bigint[] = [];
  if (r.size >= U32_MAX) wide.push(BigInt(r.size));
  if (r.compressedSize >= U32_MAX) wide.push(BigInt(r.compressedSize));
  if (r.headerAt >= U32_MAX) wide.push(BigInt(r.headerAt));
  const extra = wide.length === 0 ? Buffer.alloc(0) : Buffer.alloc(4 + 8 * wide.length);
  if (wide.length > 0) {
    extra.writeUInt16LE(0x0001, 0);
    extra.writeUInt16LE(8 * wide.length, 2);
    wide.forEach((v, i) => extra.writeBigUInt64LE(v, 4 + 8 * i));
  }
  const h = Buffer.alloc(46);
  h.writeUInt32LE(0x02014b50, 0);
  h.writeUInt16LE(VERSION_MADE_BY, 4);
  h.writeUInt16LE(wide.length > 0 || r.size >= U32_MAX ? VERSION_ZIP64 : VERSION_DEFAULT, 6);
  h.writeUInt16LE(UTF8_FLAG, 8);
  h.writeUInt16LE(r.method, 10);
  h.writeUInt16LE(dosTime, 12);
  h.writeUInt16LE(dosDate, 14);
  h.writeUInt32LE(r.crc >>> 0, 16);
  h.writeUInt32LE(Math.min(r.compressedSize, U32_MAX), 20);
  h.writeUInt32LE(Math.min(r.size, U32_MAX), 24);
  h.writeUInt16LE(r.name.length, 28);
  h.writeUInt16LE(extra.length, 30);
  // Comment length, disk number, internal attributes: 0.
  h.writeUInt32LE((FILE_MODE << 16) >>> 0, 38);
  h.writeUInt32LE(Math.min(r.headerAt, U32_MAX), 42);
  return Buffer.concat([h, r.name, extra]);
}

/** APPNOTE §4.3.16, preceded by the ZIP64 record and locator (§4.3.14–15) when a field overflows. */
function endOfCentralDirectory(count: number, size: number, at: number): Buffer {
  const zip64 = count >= U16_MAX || size >= U32_MAX || at >= U32_MAX;
  const parts: Buffer[] = [];
  if (zip64) {
    const record = Buffer.alloc(56);
    record.writeUInt32LE(0x06064b50, 0);
    record.writeBigUInt64LE(44n, 4);
    record.writeUInt16LE(VERSION_MADE_BY, 12);
    record.writeUInt16LE(VERSION_ZIP64, 14);
    record.writeBigUInt64LE(BigInt(count), 24);
    record.writeBigUInt64LE(BigInt(count), 32);
    record.writeBigUInt64LE(BigInt(size), 40);
    record.writeBigUInt64LE(BigInt(at), 48);
    const locator = Buffer.alloc(20);
    locator.writeUInt32LE(0x07064b50, 0);
    locator.writeBigUInt64LE(BigInt(at + size), 8);
    locator.writeUInt32LE(1, 16);
    parts.push(record, locator);
  }
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Math.min(count, U16_MAX), 8);
  end.writeUInt16LE(Math.min(count, U16_MAX), 10);
  end.writeUInt32LE(Math.min(size, U32_MAX), 12);
  end.writeUInt32LE(Math.min(at, U32_MAX), 16);
  parts.push(end);
  return Buffer.concat(parts);
}

/** Writes every byte of `buffers` at `position` (a short write is continued, not lost). */
async function writeAll(fh: FileHandle, buffers: readonly Buffer[], position: number): Promise<void> {
  const total = buffers.reduce((n, b) => n + b.length, 0);
  if (buffers.length > 1) {
    const { bytesWritten } = await fh.writev(buffers, position);
    if (bytesWritten === total) return;
    // A short vectored write is rare; finish the rest the simple way.
    await writeAll(fh, [Buffer.concat(buffers).subarray(bytesWritten)], position + bytesWritten);
    return;
  }
  let at = position;
  for (const b of buffers) {
    let done = 0;
    while (done < b.length) {
      const { bytesWritten } = await fh.write(b, done, b.length - done, at);
      done += bytesWritten;
      at += bytesWritten;
    }
  }
}

/** Writes every byte of `buffers` from the start of the new file `fd`. */
function writeAllSync(fd: number, buffers: readonly Buffer[]): void {
  let rest = buffers.filter((b) => b.length > 0);
  while (rest.length > 0) {
    let written = writevSync(fd, rest);
    // A short vectored write is rare: drop what went out and continue with the remainder.
    const next: Buffer[] = [];
    for (const b of rest) {
      if (written >= b.length) {
        written -= b.length;
        continue;
      }
      next.push(written > 0 ? b.subarray(written) : b);
      written = 0;
    }
    rest = next;
  }
}

/** Makes the rename itself durable; best effort, since some file systems refuse to fsync a directory. */
async function fsyncDirectory(path: string): Promise<void> {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return;
  }
  try {
    await fsyncFd(fd);
  } catch {
    // The container is complete and renamed; durability of the directory entry is the OS's call.
  } finally {
    closeQuietly(fd);
  }
}

/** The same for a directory opened asynchronously beforehand. */
async function fsyncDirectoryHandle(directory: Promise<FileHandle>): Promise<void> {
  try {
    const handle = await directory;
    try {
      await handle.sync();
    } finally {
      // Only releases the descriptor; nobody needs to wait for it.
      handle.close().catch(() => undefined);
    }
  } catch {
    // As above.
  }
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
