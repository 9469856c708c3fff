import { randomBytes } from 'node:crypto';
import { mkdir, opendir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

const BLOB_ID = /^[0-9a-f]{64}$/u;
const HEX2 = /^[0-9a-f]{2}$/u;

export interface BlobGcInput {
  /** The blob store's root (`<data>/blobs`). */
  root: string;
  /**
   * The blob ids referenced by committed rows, read once at the start. A row committed later
   * references a blob written (or, when deduplicated, touched) within the grace period.
   */
  referenced: ReadonlySet<string>;
  now: Date;
  /** Unreferenced blobs younger than this (by mtime) are kept: their rows may be committing. */
  graceMs: number;
  dryRun?: boolean;
}

export interface BlobGcResult {
  scanned: number;
  referenced: number;
  /** Unreferenced but within the grace period. */
  young: number;
  removed: number;
  removedBytes: number;
  /** Blobs taken back because they were touched while being collected. */
  restored: number;
}

/**
 * Removes blobs no committed row references (orphans of a submission that failed after its blobs
 * were written, e.g. a TSA that stopped answering half-way), older than the grace period.
 *
 * Never loses a blob a row will reference: the store writes blobs before the row commits, and a
 * deduplicated write touches the existing file (resetting its mtime). A candidate is first renamed
 * into `<root>/trash`, then its mtime is read again: if it was touched after the decision, it is
 * renamed back; only then is it deleted. Every interleaving with a concurrent `commit` keeps the
 * bytes at their address (content addressing makes a re-stored copy identical).
 */
export async function collectBlobGarbage(input: BlobGcInput): Promise<BlobGcResult> {
  const result: BlobGcResult = { scanned: 0, referenced: 0, young: 0, removed: 0, removedBytes: 0, restored: 0 };
  const trash = join(input.root, 'trash');
  if (input.dryRun !== true) await mkdir(trash, { recursive: true });
  const threshold = input.now.getTime() - input.graceMs;
  for await (const first of await opendir(input.root).catch(() => [])) {
    if (!first.isDirectory() || !HEX2.test(first.name)) continue;
    for await (const second of await opendir(join(input.root, first.name))) {
      if (!second.isDirectory() || !HEX2.test(second.name)) continue;
      const dir = join(input.root, first.name, second.name);
      for await (const entry of await opendir(dir)) {
        if (!entry.isFile() || !BLOB_ID.test(entry.name)) continue;
        result.scanned += 1;
        const id = entry.name;
        if (input.referenced.has(id)) {
          result.referenced += 1;
          continue;
        }
        const path = join(dir, id);
        const before = await stat(path).catch(() => undefined);
        if (before === undefined) continue;
        if (before.mtimeMs > threshold) {
          result.young += 1;
          continue;
        }
        if (input.dryRun === true) {
          result.removed += 1;
          result.removedBytes += before.size;
          continue;
        }
        const parked = join(trash, `${id}.${randomBytes(6).toString('hex')}`);
        if (!(await rename(path, parked).then(() => true, () => false))) continue;
        const after = await stat(parked).catch(() => undefined);
        if (after !== undefined && after.mtimeMs > threshold) {
          // Touched by a deduplicated write between our look and the rename: it is wanted.
          await rename(parked, path);
          result.restored += 1;
          continue;
        }
        await rm(parked, { force: true });
        result.removed += 1;
        result.removedBytes += before.size;
      }
    }
  }
  return result;
}
