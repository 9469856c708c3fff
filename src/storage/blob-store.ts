import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm, stat, utimes } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** A content-addressed blob: its SHA-256 (hex) is its name. */
export interface StoredBlob {
  id: string;
  size: number;
}

export interface BlobStore {
  /** Copies a file into the store (streamed, fsynced, atomically renamed) and returns its address. */
  putFile(sourcePath: string): Promise<StoredBlob>;
  putBuffer(bytes: Buffer): Promise<StoredBlob>;
  /**
   * Takes over a scratch file on the same file system (no copy): hashes it, fsyncs it and renames
   * it into place. The source path no longer exists afterwards.
   */
  adoptFile(scratchPath: string): Promise<StoredBlob>;
  /** Path of a stored blob, or undefined when it is absent. */
  pathOf(id: string): Promise<string | undefined>;
  readStream(id: string): NodeJS.ReadableStream;
  root: string;
}

const BLOB_ID = /^[0-9a-f]{64}$/u;

/**
 * Blobs live at `<root>/ab/cd/<sha256>`. Writes go to `<root>/tmp` first, are fsynced, then
 * renamed into place and the directory fsynced, so a blob referenced by a committed database
 * row is always complete on disk (write blob first, commit row second).
 */
export function createBlobStore(root: string): BlobStore {
  const tmpDir = join(root, 'tmp');
  const finalPath = (id: string): string => join(root, id.slice(0, 2), id.slice(2, 4), id);

  async function commit(tmpPath: string, id: string, size: number): Promise<StoredBlob> {
    const target = finalPath(id);
    if ((await stat(target).catch(() => undefined))?.size === size) {
      // The same bytes are already stored, perhaps as garbage nobody references yet: touching
      // them restarts the collector's grace period, so the row about to reference them is safe
      // (see collectBlobGarbage). If the collector took them meanwhile, store ours after all.
      const now = new Date();
      const touched = await utimes(target, now, now).then(
        () => true,
        () => false,
      );
      if (touched) {
        await rm(tmpPath, { force: true });
        return { id, size };
      }
    }
    await mkdir(dirname(target), { recursive: true });
    await rename(tmpPath, target);
    const dir = await open(dirname(target), 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
    return { id, size };
  }

  async function writeVia(write: (tmpPath: string, hash: ReturnType<typeof createHash>) => Promise<number>): Promise<StoredBlob> {
    await mkdir(tmpDir, { recursive: true });
    const tmpPath = join(tmpDir, `${randomBytes(12).toString('hex')}.tmp`);
    try {
      const hash = createHash('sha256');
      const size = await write(tmpPath, hash);
      const fh = await open(tmpPath, 'r+');
      try {
        await fh.sync();
      } finally {
        await fh.close();
      }
      return await commit(tmpPath, hash.digest('hex'), size);
    } catch (error) {
      await rm(tmpPath, { force: true });
      throw error;
    }
  }

  return {
    root,
    putFile: (sourcePath) =>
      writeVia(async (tmpPath, hash) => {
        let size = 0;
        const tap = new Transform({
          transform(chunk: Buffer, _enc, cb) {
            hash.update(chunk);
            size += chunk.length;
            cb(null, chunk);
          },
        });
        await pipeline(createReadStream(sourcePath), tap, createWriteStream(tmpPath, { flags: 'wx' }));
        return size;
      }),
    putBuffer: (bytes) =>
      writeVia(async (tmpPath, hash) => {
        hash.update(bytes);
        const fh = await open(tmpPath, 'wx');
        try {
          await fh.writeFile(bytes);
        } finally {
          await fh.close();
        }
        return bytes.length;
      }),
    adoptFile: async (scratchPath) => {
      const hash = createHash('sha256');
      let size = 0;
      const fh = await open(scratchPath, 'r+');
      try {
        for await (const chunk of fh.createReadStream({ autoClose: false, highWaterMark: 1024 * 1024 })) {
          hash.update(chunk as Buffer);
          size += (chunk as Buffer).length;
        }
        await fh.sync();
      } finally {
        await fh.close();
      }
      return commit(scratchPath, hash.digest('hex'), size);
    },
    pathOf: async (id) => {
      if (!BLOB_ID.test(id)) return undefined;
      const p = finalPath(id);
      return (await stat(p).catch(() => undefined))?.isFile() === true ? p : undefined;
    },
    readStream: (id) => {
      if (!BLOB_ID.test(id)) throw new Error(`not a blob id: ${id}`);
      return createReadStream(finalPath(id));
    },
  };
}
