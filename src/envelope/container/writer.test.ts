import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createContainerWriter, isSafeContainerPath, openContainer, type ContainerReader } from './index.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'edx-zip-writer-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const sha = (alg: string, bytes: Buffer): Buffer => createHash(alg).update(bytes).digest();

async function openOk(path: string): Promise<ContainerReader> {
  const opened = await openContainer({ path });
  if (!opened.ok) throw new Error(`${opened.error.code}: ${opened.error.message}`);
  return opened.value;
}

describe('createContainerWriter + openContainer round trip', () => {
  it('streams files and buffers in, and reads back the exact bytes and digests', async () => {
    const big = randomBytes(3 * 1024 * 1024 + 17);
    const small = Buffer.from('%PDF-1.7 tiny letter\n');
    const empty = Buffer.alloc(0);
    writeFileSync(join(dir, 'big.bin'), big);
    writeFileSync(join(dir, 'small.pdf'), small);
    writeFileSync(join(dir, 'empty.txt'), empty);
    const xml = Buffer.from(`<?xml version="1.0"?><envelope>${'x'.repeat(5000)}</envelope>`);
    const p7s = randomBytes(1500);
    const out = join(dir, 'letter.edx');

    const writer = createContainerWriter({ outputPath: out });
    const a = await writer.addFile('files/Письмо №1.pdf', join(dir, 'small.pdf'), { digests: ['sha-256'] });
    const b = await writer.addFile('files/big.bin', join(dir, 'big.bin'), { digests: ['sha-256', 'sha-512', 'sha-256'] });
    const c = await writer.addFile('files/empty.txt', join(dir, 'empty.txt'), { digests: ['sha-384'] });
    writer.addBuffer('envelope.xml', xml, { compress: true });
    writer.addBuffer('files/Письмо №1.pdf.p7s', p7s);
    await writer.close();

    expect(a).toEqual({ size: small.length, digests: { 'sha-256': sha('sha256', small) } });
    expect(b.size).toBe(big.length);
    expect(b.digests).toEqual({ 'sha-256': sha('sha256', big), 'sha-512': sha('sha512', big) });
    expect(c).toEqual({ size: 0, digests: { 'sha-384': sha('sha384', empty) } });
    expect(readdirSync(dir).sort()).toEqual(['big.bin', 'empty.txt', 'letter.edx', 'small.pdf']);

    const reader = await openOk(out);
    try {
      expect([...reader.entries.keys()]).toEqual([
        'files/Письмо №1.pdf',
        'files/big.bin',
        'files/empty.txt',
        'envelope.xml',
        'files/Письмо №1.pdf.p7s',
      ]);
      expect(reader.entries.get('files/big.bin')).toEqual({ size: big.length, compressedSize: big.length, compressed: false });
      expect(reader.entries.get('envelope.xml')?.compressed).toBe(true);
      expect(reader.entries.get('files/Письмо №1.pdf.p7s')?.compressed).toBe(false);

      const readXml = await reader.readEntry('envelope.xml', 1 << 20);
      expect(readXml.ok && readXml.value.equals(xml)).toBe(true);
      const readSig = await reader.readEntry('files/Письмо №1.pdf.p7s', 1 << 20);
      expect(readSig.ok && readSig.value.equals(p7s)).toBe(true);

      const digested = await reader.digestEntry('files/big.bin', ['sha-256', 'sha-384']);
      expect(digested).toEqual({ ok: true, value: { size: big.length, digests: { 'sha-256': sha('sha256', big), 'sha-384': sha('sha384', big) } } });
      const digestedEmpty = await reader.digestEntry('files/empty.txt', ['sha-256']);
      expect(digestedEmpty).toEqual({ ok: true, value: { size: 0, digests: { 'sha-256': sha('sha256', empty) } } });

      const target = join(dir, 'extracted.bin');
      expect(await reader.extractEntry('files/big.bin', target)).toEqual({ ok: true, value: { size: big.length } });
      expect(readFileSync(target).equals(big)).toBe(true);
      // Exclusive create: never overwrite.
      await expect(reader.extractEntry('files/big.bin', target)).rejects.toThrow();

      expect(await reader.readEntry('files/big.bin', 1024)).toMatchObject({ ok: false, error: { code: 'ZIP_ENTRY_TOO_LARGE' } });
      expect(await reader.readEntry('nope.txt', 1024)).toMatchObject({ ok: false, error: { code: 'ZIP_ENTRY_NOT_FOUND', path: 'nope.txt' } });
    } finally {
      await reader.close();
      await reader.close();
    }

    // Independent oracles: Info-ZIP and CPython accept the archive and see the same names and bytes.
    const unzip = spawnSync('unzip', ['-t', out], { encoding: 'utf8' });
    expect(unzip.status, unzip.stdout + unzip.stderr).toBe(0);
    const py = execFileSync(
      'python3',
      [
        '-c',
        [
          'import sys, zipfile, hashlib, json',
          'z = zipfile.ZipFile(sys.argv[1])',
          'assert z.testzip() is None',
          'print(json.dumps({i.filename: [i.compress_type, hashlib.sha256(z.read(i)).hexdigest()] for i in z.infolist()}))',
        ].join('\n'),
        out,
      ],
      { encoding: 'utf8' },
    );
    const listing = JSON.parse(py) as Record<string, [number, string]>;
    expect(listing['files/big.bin']).toEqual([0, sha('sha256', big).toString('hex')]);
    expect(listing['files/Письмо №1.pdf']).toEqual([0, sha('sha256', small).toString('hex')]);
    expect(listing['envelope.xml']).toEqual([8, sha('sha256', xml).toString('hex')]);
    expect(Object.keys(listing)).toHaveLength(5);
  });

  it('writes files of exactly one and two 1 MiB read chunks and an empty file that unzip and CPython accept', async () => {
    const sizes = [1024 * 1024, 2 * 1024 * 1024, 0, 1024 * 1024 - 1];
    const out = join(dir, 'chunks.zip');
    const writer = createContainerWriter({ outputPath: out });
    const contents = sizes.map((n) => randomBytes(n));
    for (const [i, content] of contents.entries()) {
      writeFileSync(join(dir, `c${i}.bin`), content);
      const written = await writer.addFile(`files/c${i}.bin`, join(dir, `c${i}.bin`), { digests: ['sha-256'] });
      expect(written).toEqual({ size: content.length, digests: { 'sha-256': sha('sha256', content) } });
    }
    await writer.close();
    const unzip = spawnSync('unzip', ['-t', out], { encoding: 'utf8' });
    expect(unzip.status, unzip.stdout + unzip.stderr).toBe(0);
    const py = execFileSync(
      'python3',
      ['-c', 'import sys, zipfile, hashlib, json\nz = zipfile.ZipFile(sys.argv[1])\nprint(json.dumps({i.filename: hashlib.sha256(z.read(i)).hexdigest() for i in z.infolist()}))', out],
      { encoding: 'utf8' },
    );
    const listing = JSON.parse(py) as Record<string, string>;
    contents.forEach((content, i) => expect(listing[`files/c${i}.bin`]).toBe(sha('sha256', content).toString('hex')));
    const reader = await openOk(out);
    try {
      for (const [i, content] of contents.entries()) {
        expect(await reader.digestEntry(`files/c${i}.bin`, ['sha-256'])).toEqual({ ok: true, value: { size: content.length, digests: { 'sha-256': sha('sha256', content) } } });
      }
    } finally {
      await reader.close();
    }
  });

  it('produces byte-identical output for identical input (fixed timestamps)', async () => {
    writeFileSync(join(dir, 'a.pdf'), randomBytes(10_000));
    const build = async (name: string): Promise<Buffer> => {
      const w = createContainerWriter({ outputPath: join(dir, name) });
      await w.addFile('files/a.pdf', join(dir, 'a.pdf'), { digests: ['sha-256'] });
      w.addBuffer('envelope.xml', Buffer.from('<e/>'));
      await w.close();
      return readFileSync(join(dir, name));
    };
    const first = await build('one.zip');
    const second = await build('two.zip');
    expect(first.equals(second)).toBe(true);
  });
});

describe('large files (CRC-32 on the worker thread)', () => {
  it('writes the CRC unzip computes, for sizes on and just past the chunk boundaries', async () => {
    const sizes = [1024 * 1024 + 1, 2 * 1024 * 1024, 4 * 1024 * 1024 - 1];
    const out = join(dir, 'large.zip');
    const writer = createContainerWriter({ outputPath: out });
    const contents = sizes.map((n) => randomBytes(n));
    for (const [i, c] of contents.entries()) {
      writeFileSync(join(dir, `l${i}.bin`), c);
      const added = await writer.addFile(`l${i}.bin`, join(dir, `l${i}.bin`), { digests: ['sha-256'] });
      expect(added.digests['sha-256']).toEqual(sha('sha256', c));
    }
    await writer.close();
    // unzip -t recomputes every entry's CRC-32 and compares it with the headers.
    expect(execFileSync('unzip', ['-tq', out], { encoding: 'utf8' })).toMatch(/No errors/u);
    const listed = execFileSync('unzip', ['-Z', '-v', out], { encoding: 'utf8' });
    for (const c of contents) expect(listed).toContain(`32-bit CRC value (hex):                         ${(crc32(c) >>> 0).toString(16).padStart(8, '0')}`);
  });
});

describe('createContainerWriter failure handling', () => {
  it('abort removes the temp file a large file streams through and leaves no output; a second abort is harmless', async () => {
    writeFileSync(join(dir, 'a.bin'), randomBytes(2 * 1024 * 1024));
    const out = join(dir, 'out.zip');
    const writer = createContainerWriter({ outputPath: out });
    await writer.addFile('a.bin', join(dir, 'a.bin'), { digests: ['sha-256'] });
    writer.addBuffer('b.txt', Buffer.from('b'));
    expect(readdirSync(dir).some((f) => f.endsWith('.tmp'))).toBe(true);
    await writer.abort();
    await writer.abort();
    expect(readdirSync(dir)).toEqual(['a.bin']);
    await expect(writer.close()).rejects.toThrow();
  });

  it('a letter of small files is assembled in memory: nothing on disk before close, the whole container after; abort leaves nothing', async () => {
    const small = randomBytes(200_000);
    writeFileSync(join(dir, 'a.bin'), small);
    const out = join(dir, 'out.zip');
    for (const durable of [true, false]) {
      const writer = createContainerWriter({ outputPath: out, durable });
      const added = await writer.addFile('a.bin', join(dir, 'a.bin'), { digests: ['sha-256', 'sha-512'] });
      expect(added).toEqual({ size: small.length, digests: { 'sha-256': sha('sha256', small), 'sha-512': sha('sha512', small) } });
      writer.addBuffer('b.txt', Buffer.from('b'));
      expect(readdirSync(dir)).toEqual(['a.bin']);
      await writer.close();
      expect(readdirSync(dir).sort()).toEqual(['a.bin', 'out.zip']);
      // An independent reader: unzip's CRC test of every entry.
      expect(execFileSync('unzip', ['-tq', out], { encoding: 'utf8' })).toMatch(/No errors/u);
      const reader = await openOk(out);
      expect(await reader.digestEntry('a.bin', ['sha-256'])).toEqual({ ok: true, value: { size: small.length, digests: { 'sha-256': sha('sha256', small) } } });
      await reader.close();
      rmSync(out);
    }
    const aborted = createContainerWriter({ outputPath: out });
    await aborted.addFile('a.bin', join(dir, 'a.bin'), { digests: ['sha-256'] });
    await aborted.abort();
    expect(readdirSync(dir)).toEqual(['a.bin']);
  });

  it('small files beyond the in-memory limit go to the temp file as they come, and the container is whole', async () => {
    const parts = Array.from({ length: 6 }, () => randomBytes(1024 * 1024 - 5));
    parts.forEach((p, i) => writeFileSync(join(dir, `p${i}.bin`), p));
    const out = join(dir, 'out.zip');
    const writer = createContainerWriter({ outputPath: out });
    for (const [i] of parts.entries()) await writer.addFile(`p${i}.bin`, join(dir, `p${i}.bin`), { digests: ['sha-256'] });
    // Over 4 MiB were queued: the temp file exists before close.
    expect(readdirSync(dir).some((f) => f.endsWith('.tmp'))).toBe(true);
    writer.addBuffer('envelope.xml', Buffer.from('<e/>'), { compress: true });
    await writer.close();
    expect(execFileSync('unzip', ['-tq', out], { encoding: 'utf8' })).toMatch(/No errors/u);
    const reader = await openOk(out);
    for (const [i, p] of parts.entries()) {
      expect(await reader.digestEntry(`p${i}.bin`, ['sha-256'])).toEqual({ ok: true, value: { size: p.length, digests: { 'sha-256': sha('sha256', p) } } });
    }
    await reader.close();
  });

  it('abort right after a large durable file (background writeback in flight) leaves nothing', async () => {
    const big = randomBytes(9 * 1024 * 1024);
    writeFileSync(join(dir, 'big.bin'), big);
    const out = join(dir, 'out.zip');
    const writer = createContainerWriter({ outputPath: out });
    const written = await writer.addFile('big.bin', join(dir, 'big.bin'), { digests: ['sha-256'] });
    expect(written.digests['sha-256']).toEqual(sha('sha256', big));
    await writer.abort();
    expect(readdirSync(dir)).toEqual(['big.bin']);
    // The same input closes into a complete container: the check above can tell the difference.
    const again = createContainerWriter({ outputPath: out });
    await again.addFile('big.bin', join(dir, 'big.bin'), { digests: ['sha-256'] });
    await again.close();
    const reader = await openOk(out);
    expect(await reader.digestEntry('big.bin', ['sha-256'])).toEqual({ ok: true, value: { size: big.length, digests: { 'sha-256': sha('sha256', big) } } });
    await reader.close();
  });

  it('refuses unsafe and colliding paths with an exception', async () => {
    const writer = createContainerWriter({ outputPath: join(dir, 'out.zip') });
    const bad = ['../evil.txt', '/etc/passwd', 'C:/x', 'C:\\x', 'a\\b', '', 'a//b', './a', 'a/', 'e\u0301.txt', 'nul\u0000.txt'];
    for (const p of bad) expect(() => writer.addBuffer(p, Buffer.from('x')), p).toThrow();
    await expect(writer.addFile('../evil', join(dir, 'whatever'), { digests: [] })).rejects.toThrow(/unsafe/u);
    writer.addBuffer('files/Report.pdf', Buffer.from('x'));
    expect(() => writer.addBuffer('files/Report.pdf', Buffer.from('y'))).toThrow(/duplicate/u);
    expect(() => writer.addBuffer('FILES/report.PDF', Buffer.from('y'))).toThrow(/duplicate/u);
    expect(() => writer.addBuffer('files/Report.pdf/inner', Buffer.from('y'))).toThrow();
    expect(() => writer.addBuffer('files', Buffer.from('y'))).toThrow();
    await writer.abort();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('rejects addFile for a missing source and leaves nothing after abort', async () => {
    const writer = createContainerWriter({ outputPath: join(dir, 'out.zip') });
    await expect(writer.addFile('a.bin', join(dir, 'missing.bin'), { digests: ['sha-256'] })).rejects.toThrow();
    await writer.abort();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('rejects close when the output cannot be written, and leaves nothing behind', async () => {
    const writer = createContainerWriter({ outputPath: join(dir, 'no-such-dir', 'out.zip') });
    writer.addBuffer('a.txt', Buffer.from('a'));
    await expect(writer.close()).rejects.toThrow(/ENOENT/u);
    await writer.abort();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('rejects addFile when the source is a directory', async () => {
    const writer = createContainerWriter({ outputPath: join(dir, 'out.zip') });
    await expect(writer.addFile('a.bin', dir, { digests: ['sha-256'] })).rejects.toThrow(/regular file/u);
    await writer.abort();
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('isSafeContainerPath', () => {
  it.each([
    ['envelope.xml', true],
    ['files/Письмо №1.pdf', true],
    ['files/a b/c.d', true],
    ['../evil.txt', false],
    ['a/../../evil.txt', false],
    ['/abs', false],
    ['C:\\x', false],
    ['C:/x', false],
    ['c:x', false],
    ['a\\b', false],
    ['a//b', false],
    ['a/', false],
    ['./a', false],
    ['a/./b', false],
    ['', false],
    ['a\u0000b', false],
    ['a\u001fb', false],
    ['a\u0085b', false],
    ['e\u0301', false],
    ['\u00e9', true],
    ['a\ud800b', false],
    ['x'.repeat(1024), true],
    ['x'.repeat(1025), false],
  ])('%j -> %s', (path, expected) => {
    expect(isSafeContainerPath(path)).toBe(expected);
  });
});
