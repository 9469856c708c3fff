import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { open, rename, rm, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { Transform } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import yazl from 'yazl';
import { createHasher, type DigestAlgorithm, type Hasher } from '../../crypto/digest.ts';
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
}

// Regular file, rw-r--r--: readers refuse anything that is not S_IFREG.
const FILE_MODE = 0o100644;

/**
 * Creates a streaming ZIP writer (PKWARE APPNOTE.TXT 6.3, ZIP64 when an entry needs it) for a
 * letter container (SPEC §3). Output goes to `<outputPath>.<random>.tmp` beside the target and
 * is renamed into place by `close` after an fsync, so a reader never sees a partial container.
 * Entry paths must satisfy {@link isSafeContainerPath} and be unique even case-insensitively;
 * a violation throws, because the caller chose the name.
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
  const tempPath = `${outputPath}.${randomBytes(8).toString('hex')}.tmp`;
  // Local midnight, because DOS timestamps are local time: same bytes in every time zone.
  const mtime = options.mtime ?? new Date(1980, 0, 1, 0, 0, 0, 0);
  const entryOptions = { mtime, mode: FILE_MODE, forceDosTimestamp: true } as const;

  const zip = new yazl.ZipFile();
  // `flush` fsyncs the descriptor before it is closed (Node >= 20.10).
  const out = createWriteStream(tempPath, { flags: 'wx', flush: true });
  const usedNames = new Set<string>();
  const activeSources = new Set<{ destroy(): unknown }>();

  let state: 'open' | 'closing' | 'closed' | 'aborted' = 'open';
  let failure: Error | undefined;
  let rejectFailed: (error: Error) => void = () => undefined;
  const failed = new Promise<never>((_, reject) => {
    rejectFailed = reject;
  });
  failed.catch(() => undefined);

  const fail = (error: Error): void => {
    if (failure !== undefined) return;
    failure = error;
    rejectFailed(error);
  };

  zip.on('error', (error: Error) => fail(error));
  const written = pipeline(zip.outputStream, out);
  written.catch((error: unknown) => fail(toError(error)));

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

  return {
    async addFile(path, sourcePath, fileOptions) {
      assertOpen();
      claimName(path);
      const info = await stat(sourcePath);
      if (!info.isFile()) throw new Error(`not a regular file: ${sourcePath}`);
      assertOpen();
      const expected = info.size;
      const hashers = new Map<DigestAlgorithm, Hasher>();
      for (const alg of fileOptions.digests) if (!hashers.has(alg)) hashers.set(alg, createHasher(alg));

      let count = 0;
      const hashing = new Transform({
        transform(chunk: Buffer, _encoding, callback) {
          count += chunk.length;
          if (count > expected) {
            callback(new Error(`${sourcePath} grew while being read (expected ${expected} bytes)`));
            return;
          }
          for (const h of hashers.values()) h.update(chunk);
          callback(null, chunk);
        },
        flush(callback) {
          if (count !== expected) {
            callback(new Error(`${sourcePath} changed while being read: ${count} of ${expected} bytes`));
            return;
          }
          callback();
        },
      });
      const source = createReadStream(sourcePath);
      activeSources.add(source);
      activeSources.add(hashing);
      source.on('error', (error) => hashing.destroy(error));
      source.pipe(hashing);
      // yazl pulls from `hashing` only as fast as the output file accepts bytes: backpressure end to end.
      zip.addReadStream(hashing, path, { ...entryOptions, compress: false, size: expected });
      try {
        await Promise.race([finished(hashing), failed]);
      } catch (error) {
        const err = toError(error);
        // yazl does not watch its input for errors; the half-written entry cannot be completed.
        fail(err);
        source.destroy();
        hashing.destroy();
        throw err;
      } finally {
        activeSources.delete(source);
        activeSources.delete(hashing);
      }
      const digests: Partial<Record<DigestAlgorithm, Buffer>> = {};
      for (const [alg, h] of hashers) digests[alg] = h.digest();
      return { size: count, digests };
    },

    addBuffer(path, bytes, bufferOptions) {
      assertOpen();
      claimName(path);
      // STORED by default: deflate output differs between zlib versions and we want reproducible bytes.
      zip.addBuffer(bytes, path, { ...entryOptions, compress: bufferOptions?.compress === true });
    },

    async close() {
      assertOpen();
      state = 'closing';
      try {
        zip.end();
        await Promise.race([written, failed]);
        if (!out.closed) await Promise.race([new Promise<void>((r) => out.once('close', () => r())), failed]);
        if (failure !== undefined) throw failure;
        await rename(tempPath, outputPath);
      } catch (error) {
        state = 'aborted';
        await discard();
        throw toError(error);
      }
      state = 'closed';
      await fsyncDirectory(dirname(outputPath));
    },

    async abort() {
      if (state === 'closed' || state === 'aborted') return;
      state = 'aborted';
      fail(new Error('container writer aborted'));
      await discard();
    },
  };

  async function discard(): Promise<void> {
    for (const s of activeSources) s.destroy();
    activeSources.clear();
    zip.outputStream.unpipe(out);
    if (!out.closed) {
      const closed = new Promise<void>((r) => out.once('close', () => r()));
      out.destroy();
      await closed;
    }
    await rm(tempPath, { force: true });
  }
}

/** Makes the rename itself durable; best effort, since some file systems refuse to fsync a directory. */
async function fsyncDirectory(directory: string): Promise<void> {
  try {
    const handle = await open(directory, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // The container is complete and renamed; durability of the directory entry is the OS's call.
  }
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
