import { close as closeFd, closeSync, constants as fsConstants, fstatSync, openSync, read as readFd, readSync } from 'node:fs';
import { Readable } from 'node:stream';
import yauzl from 'yauzl';

/**
 * A container no larger than this is held in memory: a letter of a few hundred KiB then costs
 * an open and one read instead of a thread-pool round trip for every header yauzl and the
 * reader look at.
 */
export const WHOLE_CONTAINER_BYTES = 2 * 1024 * 1024;

/** How much of the start of a larger container is read up front (local headers of the first entries). */
const HEAD_BYTES = 256 * 1024;

/**
 * A larger container has this much of its end read up front: the end-of-central-directory search
 * window (22 bytes plus the longest comment, APPNOTE §4.3.16) and, for any letter with a sane
 * number of entries, the whole central directory.
 */
export const TAIL_BYTES = 64 * 1024 + 22;

/** The container file behind one descriptor, with part of it (or all of it) already in memory. */
export interface ContainerSource {
  size: number;
  /** What yauzl reads through: served from memory where possible, from the descriptor otherwise. */
  reader: yauzl.RandomAccessReader;
  /** The bytes [position, position + length) when they are in memory (no copy: do not modify). */
  view(position: number, length: number): Buffer | undefined;
  /** Positional read into `buffer` at 0; fewer bytes than asked only at the end of the file. */
  readAt(buffer: Buffer, length: number, position: number): Promise<number>;
  /** Closes the descriptor unless yauzl was given the reader (it closes it on its last unref). */
  discard(): Promise<void>;
}

interface CachedRange {
  start: number;
  bytes: Buffer;
}

function fdOp<T>(op: (callback: (err: NodeJS.ErrnoException | null, value: T) => void) => void): Promise<T> {
  return new Promise<T>((resolveOp, reject) => op((err, value) => (err ? reject(err) : resolveOp(value))));
}

/**
 * The reader yauzl needs (a RandomAccessReader is a class in its API). Reads that fall inside the
 * cached range are copied from memory; the rest go to the descriptor. Closing is yauzl's: its last
 * `unref` calls `close`, which closes the descriptor (already closed when the whole file is cached).
 */
class CachedReader extends yauzl.RandomAccessReader {
  readonly #fd: number | undefined;
  readonly #ranges: readonly CachedRange[];

  constructor(fd: number | undefined, ranges: readonly CachedRange[]) {
    super();
    this.#fd = fd;
    this.#ranges = ranges;
  }

  /** The cached bytes for [start, end), or `undefined` when the range is not all cached. */
  cached(start: number, end: number): Buffer | undefined {
    for (const r of this.#ranges) {
      if (start >= r.start && end <= r.start + r.bytes.length) return r.bytes.subarray(start - r.start, end - r.start);
    }
    return undefined;
  }

  override read(buffer: Buffer, offset: number, length: number, position: number, callback: (err: Error | null, bytesRead?: number) => void): void {
    const hit = this.cached(position, position + length);
    if (hit !== undefined) {
      hit.copy(buffer, offset);
      process.nextTick(callback, null, hit.length);
      return;
    }
    if (this.#fd === undefined) {
      process.nextTick(callback, new Error('read outside the container'));
      return;
    }
    readFd(this.#fd, buffer, offset, length, position, (err, bytesRead) => callback(err, bytesRead));
  }

  override _readStreamForRange(start: number, end: number): Readable {
    const hit = this.cached(start, end);
    if (hit !== undefined) return Readable.from([hit], { objectMode: false });
    if (this.#fd === undefined) return Readable.from([]);
    return rangeStream(this.#fd, start, end);
  }

  override close(callback: (err: Error | null) => void): void {
    if (this.#fd === undefined) {
      process.nextTick(callback, null);
      return;
    }
    closeFd(this.#fd, (err) => callback(err));
  }
}

const STREAM_CHUNK_BYTES = 1024 * 1024;

/**
 * [start, end) of the descriptor as a stream. Not fs.createReadStream: destroying that closes the
 * descriptor whatever `autoClose` says, and yauzl destroys every entry stream when it is done.
 * A short file ends the stream early; yauzl's byte count reports it.
 */
function rangeStream(fd: number, start: number, end: number): Readable {
  let position = start;
  return new Readable({
    highWaterMark: STREAM_CHUNK_BYTES,
    read() {
      const length = Math.min(STREAM_CHUNK_BYTES, end - position);
      if (length <= 0) {
        this.push(null);
        return;
      }
      const buffer = Buffer.allocUnsafe(length);
      readFd(fd, buffer, 0, length, position, (err, bytesRead) => {
        if (err) {
          this.destroy(err);
          return;
        }
        if (bytesRead === 0) {
          this.push(null);
          return;
        }
        position += bytesRead;
        this.push(bytesRead < length ? buffer.subarray(0, bytesRead) : buffer);
      });
    },
  });
}

/** Reads until `buffer` is full or the file ends, synchronously; the number of bytes read. */
function readFullySync(fd: number, buffer: Buffer, position: number): number {
  let got = 0;
  while (got < buffer.length) {
    const n = readSync(fd, buffer, got, buffer.length - got, position + got);
    if (n === 0) break;
    got += n;
  }
  return got;
}

/**
 * Opens the container file and reads it whole (at most {@link WHOLE_CONTAINER_BYTES}), or its head
 * and tail. Opening, the fstat and these reads are synchronous: each takes microseconds for a file
 * in the page cache, less than one thread-pool round trip of the asynchronous API (~150–250 µs on
 * the CI machine), and a small letter needs nothing else from the disk. O_NONBLOCK, which changes
 * nothing for a regular file, keeps a FIFO from blocking the open; anything but a regular file is
 * refused. A small container's descriptor is closed before this returns.
 */
export async function openContainerSource(path: string): Promise<ContainerSource> {
  const fd = openSync(path, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK);
  let size: number;
  let ranges: CachedRange[];
  let whole: boolean;
  try {
    const info = fstatSync(fd);
    if (!info.isFile()) throw new Error(`not a regular file: ${path}`);
    whole = info.size <= WHOLE_CONTAINER_BYTES;
    if (whole) {
      // What is read is what is verified: a file that changes meanwhile is seen as it was read.
      const all = Buffer.allocUnsafe(info.size);
      size = readFullySync(fd, all, 0);
      ranges = [{ start: 0, bytes: all.subarray(0, size) }];
    } else {
      const head = Buffer.allocUnsafe(HEAD_BYTES);
      const headGot = readFullySync(fd, head, 0);
      const restStart = Math.max(headGot, info.size - TAIL_BYTES);
      const rest = Buffer.allocUnsafe(Math.max(0, info.size - restStart));
      const restGot = readFullySync(fd, rest, restStart);
      // A file that shrank meanwhile: yauzl sees the bytes that are there.
      size = headGot < HEAD_BYTES ? headGot : restStart + restGot;
      ranges = [
        { start: 0, bytes: head.subarray(0, headGot) },
        { start: restStart, bytes: rest.subarray(0, restGot) },
      ];
    }
  } catch (err) {
    closeSync(fd);
    throw err;
  }

  if (whole) {
    closeSync(fd);
    const reader = new CachedReader(undefined, ranges);
    return {
      size,
      reader,
      view: (position, length) => reader.cached(position, position + length),
      readAt: (buffer, length, position) => {
        const hit = reader.cached(position, Math.min(position + length, size)) ?? Buffer.alloc(0);
        return Promise.resolve(hit.copy(buffer, 0));
      },
      discard: () => Promise.resolve(),
    };
  }
  const closeFdOnce = (() => {
    let closing: Promise<void> | undefined;
    return (): Promise<void> => (closing ??= fdOp<void>((cb) => closeFd(fd, (e) => cb(e, undefined))));
  })();
  const reader = new CachedReader(fd, ranges);
  return {
    size,
    reader,
    view: (position, length) => reader.cached(position, position + length),
    readAt: (buffer, length, position) => {
      const hit = reader.cached(position, position + length);
      if (hit !== undefined) return Promise.resolve(hit.copy(buffer, 0));
      return fdOp<number>((cb) => readFd(fd, buffer, 0, length, position, cb));
    },
    discard: () => closeFdOnce().catch(() => undefined),
  };
}
