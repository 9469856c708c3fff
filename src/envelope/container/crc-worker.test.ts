import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openCrcStream, stopCrcWorker } from './crc-worker.ts';

afterAll(async () => {
  await stopCrcWorker();
});

/** CRC-32 by Python's zlib (an independent implementation and build). */
function pythonCrc32(bytes: Buffer): number {
  return Number(execFileSync('python3', ['-c', 'import sys,zlib; print(zlib.crc32(sys.stdin.buffer.read()))'], { input: bytes }).toString().trim());
}

function shared(bytes: Buffer): Buffer {
  const b = Buffer.from(new SharedArrayBuffer(bytes.length));
  bytes.copy(b);
  return b;
}

describe('openCrcStream', () => {
  it('gives the CRC-32 of the chunks in order, equal to Python zlib, for two streams interleaved', async () => {
    const a = [randomBytes(1), randomBytes(65_536), randomBytes(1_048_576), randomBytes(3)];
    const b = [randomBytes(300_000), Buffer.alloc(0), randomBytes(17)];
    const sa = openCrcStream();
    const sb = openCrcStream();
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      const ca = a[i];
      const cb = b[i];
      await Promise.all([ca === undefined ? undefined : sa.update(shared(ca)), cb === undefined ? undefined : sb.update(shared(cb))]);
    }
    const [crcA, crcB] = await Promise.all([sa.finish(), sb.finish()]);
    expect(crcA).toBe(pythonCrc32(Buffer.concat(a)));
    expect(crcB).toBe(pythonCrc32(Buffer.concat(b)));
    // A chunk in the middle of a shared buffer: only its view is read.
    const big = shared(randomBytes(1000));
    const s = openCrcStream();
    await s.update(big.subarray(100, 900));
    expect(await s.finish()).toBe(pythonCrc32(big.subarray(100, 900)));
    expect(await openCrcStream().finish()).toBe(0);
  });

  it('refuses chunks outside shared memory', () => {
    expect(() => openCrcStream().update(Buffer.alloc(4))).toThrow(/SharedArrayBuffer/u);
  });

  it('fails a stream whose worker stopped instead of restarting its CRC from zero; new streams work', async () => {
    const s = openCrcStream();
    await s.update(shared(randomBytes(1000)));
    await stopCrcWorker();
    await expect(s.update(shared(randomBytes(10)))).rejects.toThrow(/stopped/u);
    await expect(s.finish()).rejects.toThrow(/stopped/u);
    const fresh = openCrcStream();
    const bytes = randomBytes(5000);
    await fresh.update(shared(bytes));
    expect(await fresh.finish()).toBe(pythonCrc32(bytes));
  });

  it('a process that packs a large file exits by itself: the worker is referenced only while a reply is awaited', () => {
    const dir = mkdtempSync(join(tmpdir(), 'edx-crc-exit-'));
    try {
      writeFileSync(join(dir, 'big.bin'), randomBytes(3 * 1024 * 1024 + 5));
      const script = join(dir, 'pack.mts');
      const writerUrl = new URL('./writer.ts', import.meta.url).href;
      writeFileSync(
        script,
        `import { createContainerWriter } from ${JSON.stringify(writerUrl)};
const w = createContainerWriter({ outputPath: ${JSON.stringify(join(dir, 'out.zip'))} });
await w.addFile('big.bin', ${JSON.stringify(join(dir, 'big.bin'))}, { digests: ['sha-256'] });
await w.close();
console.log('packed');
`,
      );
      // Not a timing threshold: a hang guard. Unreferenced while busy, the process would end
      // early with "unsettled top-level await" (13); referenced while idle, it would never end.
      const run = spawnSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8', timeout: 120_000 });
      expect(run.signal, run.stderr).toBeNull();
      expect(run.status, run.stderr).toBe(0);
      expect(run.stdout.trim()).toBe('packed');
      expect(execFileSync('unzip', ['-tq', join(dir, 'out.zip')], { encoding: 'utf8' })).toMatch(/No errors/u);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
