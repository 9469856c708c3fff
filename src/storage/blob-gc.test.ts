import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { collectBlobGarbage } from './blob-gc.ts';
import { createBlobStore, type BlobStore } from './blob-store.ts';

const DAY = 86_400_000;
let root: string;
let store: BlobStore;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'edx-blob-gc-'));
  store = createBlobStore(root);
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function age(id: string, days: number): Promise<void> {
  const path = await store.pathOf(id);
  if (path === undefined) throw new Error(`no blob ${id}`);
  const t = new Date(Date.now() - days * DAY);
  await utimes(path, t, t);
}

describe('collectBlobGarbage', () => {
  it('removes old unreferenced blobs only: referenced and young ones stay, dry runs change nothing', async () => {
    const kept = await store.putBuffer(randomBytes(100));
    const orphan = await store.putBuffer(randomBytes(200));
    const young = await store.putBuffer(randomBytes(300));
    await age(kept.id, 10);
    await age(orphan.id, 10);
    await age(young.id, 0.5);
    const input = { root, referenced: new Set([kept.id]), now: new Date(), graceMs: DAY };

    const dry = await collectBlobGarbage({ ...input, dryRun: true });
    expect(dry).toMatchObject({ scanned: 3, referenced: 1, young: 1, removed: 1, removedBytes: 200 });
    expect(await store.pathOf(orphan.id)).toBeDefined();

    const run = await collectBlobGarbage(input);
    expect(run).toMatchObject({ scanned: 3, referenced: 1, young: 1, removed: 1, removedBytes: 200, restored: 0 });
    expect(await store.pathOf(orphan.id)).toBeUndefined();
    expect(await store.pathOf(kept.id)).toBeDefined();
    expect(await store.pathOf(young.id)).toBeDefined();
    expect(await readdir(join(root, 'trash'))).toEqual([]);
  });

  it('keeps an old orphan that a new write stores again (the deduplicated write touches it)', async () => {
    const bytes = randomBytes(500);
    const first = await store.putBuffer(bytes);
    await age(first.id, 30);
    const again = await store.putBuffer(bytes); // a new row is about to reference these bytes
    expect(again.id).toBe(first.id);
    const run = await collectBlobGarbage({ root, referenced: new Set(), now: new Date(), graceMs: DAY });
    expect(run).toMatchObject({ removed: 0, young: 1 });
    expect(await store.pathOf(first.id)).toBeDefined();
  });

  it('stores the bytes again when a deduplicated write finds them collected', async () => {
    const bytes = randomBytes(64);
    const first = await store.putBuffer(bytes);
    await age(first.id, 30);
    await collectBlobGarbage({ root, referenced: new Set(), now: new Date(), graceMs: DAY });
    expect(await store.pathOf(first.id)).toBeUndefined();
    const again = await store.putBuffer(bytes);
    expect(again.id).toBe(first.id);
    expect(await store.pathOf(again.id)).toBeDefined();
  });

  it('ignores what is not a blob (scratch files, stray names) and an empty store', async () => {
    expect(await collectBlobGarbage({ root: join(root, 'missing'), referenced: new Set(), now: new Date(), graceMs: 0 })).toMatchObject({ scanned: 0 });
    const b = await store.putBuffer(randomBytes(10));
    await age(b.id, 2);
    const blobPath = await store.pathOf(b.id);
    if (blobPath === undefined) throw new Error('blob missing');
    // A scratch file and a stray name beside the blob, both old: neither is a blob to collect.
    const old = new Date(Date.now() - 5 * DAY);
    const scratchFile = join(root, 'tmp', 'left-over.tmp');
    const stray = join(dirname(blobPath), 'README');
    await mkdir(join(root, 'tmp'), { recursive: true });
    for (const path of [scratchFile, stray]) {
      await writeFile(path, 'not a blob');
      await utimes(path, old, old);
    }
    const r = await collectBlobGarbage({ root, referenced: new Set([b.id]), now: new Date(), graceMs: 0 });
    expect(r).toMatchObject({ scanned: 1, removed: 0 });
    expect(await readFile(scratchFile, 'utf8')).toBe('not a blob');
    expect(await readFile(stray, 'utf8')).toBe('not a blob');
  });
});
