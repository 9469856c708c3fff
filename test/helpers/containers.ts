import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { createContainerWriter, openContainer } from '../../src/envelope/index.ts';

/** Reads every entry of a container into memory (test containers are small). */
export async function readAllEntries(path: string): Promise<Map<string, Buffer>> {
  const opened = await openContainer({ path });
  if (!opened.ok) throw new Error(`${opened.error.code}: ${opened.error.message}`);
  const entries = new Map<string, Buffer>();
  try {
    for (const name of opened.value.entries.keys()) {
      const r = await opened.value.readEntry(name, 64 * 1024 * 1024);
      if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
      entries.set(name, r.value);
    }
  } finally {
    await opened.value.close();
  }
  return entries;
}

/** Writes entries as a new container, in insertion order. */
export async function writeEntries(path: string, entries: ReadonlyMap<string, Buffer>): Promise<void> {
  const w = createContainerWriter({ outputPath: path });
  for (const [name, bytes] of entries) w.addBuffer(name, bytes, { compress: false });
  await w.close();
}

/** Copies a container, letting `mutate` change its entries on the way (tampering for negative tests). */
export async function rewriteContainer(src: string, dst: string, mutate: (entries: Map<string, Buffer>) => void): Promise<void> {
  const entries = await readAllEntries(src);
  mutate(entries);
  await writeEntries(dst, entries);
}

/** Extracts every entry into `dir` so independent tools can read them; returns the paths. */
export async function extractAll(container: string, dir: string): Promise<Map<string, string>> {
  const entries = await readAllEntries(container);
  const out = new Map<string, string>();
  for (const [name, bytes] of entries) {
    const p = join(dir, name);
    await mkdir(dirname(p), { recursive: true });
    await writeFile(p, bytes);
    out.set(name, p);
  }
  return out;
}

/** Flips one bit of the byte at `index` (negative counts from the end). */
export function flipByte(bytes: Buffer, index: number): Buffer {
  const copy = Buffer.from(bytes);
  const i = index < 0 ? copy.length + index : index;
  copy[i] = (copy[i] ?? 0) ^ 0x01;
  return copy;
}
