import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateRawSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContainerWriter, openContainer, type ContainerErrorCode, type ContainerLimits } from './index.ts';
import { WHOLE_CONTAINER_BYTES } from './container-source.ts';
import { buildZip, deflatedEntry, storedEntry, type RawEntry } from './raw-zip-builder.ts';

let dir: string;
let counter = 0;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'edx-zip-reader-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const openFds = (): number => readdirSync('/proc/self/fd').length;

function writeZip(bytes: Buffer): string {
  counter += 1;
  const path = join(dir, `case-${counter}.zip`);
  writeFileSync(path, bytes);
  return path;
}

/** Opens `bytes` as a container and returns the refusal code (or 'OK'); asserts nothing leaks. */
async function openCode(bytes: Buffer, limits?: Partial<ContainerLimits>): Promise<ContainerErrorCode | 'OK'> {
  const path = writeZip(bytes);
  const before = openFds();
  const beforeFiles = readdirSync(dir).sort();
  const opened = await openContainer(limits === undefined ? { path } : { path, limits });
  if (opened.ok) await opened.value.close();
  expect(openFds()).toBe(before);
  expect(readdirSync(dir).sort()).toEqual(beforeFiles);
  return opened.ok ? 'OK' : opened.error.code;
}

/** Opens successfully, then streams `entry` every way and returns the codes of the three reads. */
async function readCodes(bytes: Buffer, entry: string): Promise<string[]> {
  const path = writeZip(bytes);
  const before = openFds();
  const opened = await openContainer({ path });
  if (!opened.ok) throw new Error(`expected to open: ${opened.error.code} ${opened.error.message}`);
  const reader = opened.value;
  const target = join(dir, `extract-${counter}`);
  const results = [
    await reader.readEntry(entry, 1 << 30),
    await reader.digestEntry(entry, ['sha-256']),
    await reader.extractEntry(entry, target),
  ];
  await reader.close();
  expect(openFds()).toBe(before);
  const extracted = existsSync(target);
  rmSync(target, { force: true });
  return [...results.map((r) => (r.ok ? 'OK' : r.error.code)), extracted ? 'EXTRACTED' : 'NOTHING'];
}

const hello = Buffer.from('hello, world\n');

describe('openContainer accepts well-formed containers', () => {
  it('opens a raw-built ZIP with stored and deflated entries', async () => {
    const text = Buffer.from('a'.repeat(10_000));
    const bytes = buildZip([storedEntry('a.txt', hello), deflatedEntry('dir/b.txt', text)]);
    expect(await openCode(bytes)).toBe('OK');
    expect(await readCodes(bytes, 'dir/b.txt')).toEqual(['OK', 'OK', 'OK', 'EXTRACTED']);
  });

  it('reads a CPython-made ZIP (ASCII names without the UTF-8 flag, a directory entry)', async () => {
    const path = join(dir, 'python.zip');
    execFileSync('python3', [
      '-c',
      [
        'import sys, zipfile',
        'with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:',
        '    z.writestr("files/", b"")',
        '    z.writestr("files/a.txt", b"hello, world\\n" * 1000)',
      ].join('\n'),
      path,
    ]);
    const opened = await openContainer({ path });
    expect(opened.ok).toBe(true);
    if (!opened.ok) return;
    expect([...opened.value.entries.keys()]).toEqual(['files/a.txt']);
    const digested = await opened.value.digestEntry('files/a.txt', ['sha-256']);
    const expected = createHash('sha256').update(Buffer.from('hello, world\n'.repeat(1000))).digest();
    expect(digested).toEqual({ ok: true, value: { size: 13_000, digests: { 'sha-256': expected } } });
    await opened.value.close();
  });
});

describe('openContainer refuses hostile containers as a whole', () => {
  it.each([
    ['zip-slip', '../evil.txt'],
    ['nested zip-slip', 'files/../../evil.txt'],
    ['absolute path', '/etc/passwd'],
    ['drive letter with backslash', 'C:\\evil.txt'],
    ['drive letter with slash', 'C:/evil.txt'],
    ['backslash separator', 'files\\evil.txt'],
    ['empty segment', 'files//evil.txt'],
    ['dot segment', './evil.txt'],
    ['NUL', 'evil.txt\u0000.pdf'],
    ['control character', 'evil\u001b[31m.txt'],
    ['not NFC', 'e\u0301vil.txt'],
  ])('%s -> ZIP_UNSAFE_PATH', async (_label, name) => {
    expect(await openCode(buildZip([storedEntry('ok.txt', hello), storedEntry(name, hello)]))).toBe('ZIP_UNSAFE_PATH');
  });

  it('refuses a path longer than maxPathBytes', async () => {
    const bytes = buildZip([storedEntry(`${'d/'.repeat(40)}x`, hello)]);
    expect(await openCode(bytes)).toBe('OK');
    expect(await openCode(bytes, { maxPathBytes: 64 })).toBe('ZIP_UNSAFE_PATH');
  });

  it('refuses non-ASCII names without the UTF-8 flag, and invalid UTF-8 with it', async () => {
    expect(await openCode(buildZip([storedEntry(Buffer.from([0x82, 0x61]), hello)]))).toBe('ZIP_UNSAFE_PATH');
    expect(await openCode(buildZip([{ ...storedEntry(Buffer.from([0xc3, 0x28]), hello), flags: 0x0800 }]))).toBe('ZIP_UNSAFE_PATH');
  });

  it('refuses a Unicode Path extra field that names another file', async () => {
    const other = Buffer.from('../evil.txt');
    const field = Buffer.alloc(4 + 5 + other.length);
    field.writeUInt16LE(0x7075, 0);
    field.writeUInt16LE(5 + other.length, 2);
    field.writeUInt8(1, 4);
    field.writeUInt32LE(crc32(Buffer.from('ok.txt')), 5);
    other.copy(field, 9);
    expect(await openCode(buildZip([{ ...storedEntry(Buffer.from('ok.txt'), hello), extra: field }]))).toBe('ZIP_UNSAFE_PATH');
  });

  it('refuses exact and case-insensitive duplicates, and a file that is also a directory', async () => {
    expect(await openCode(buildZip([storedEntry('a.txt', hello), storedEntry('a.txt', hello)]))).toBe('ZIP_DUPLICATE_ENTRY');
    expect(await openCode(buildZip([storedEntry('Files/A.txt', hello), storedEntry('files/a.TXT', hello)]))).toBe('ZIP_DUPLICATE_ENTRY');
    expect(await openCode(buildZip([storedEntry('straße.txt', hello), storedEntry('STRASSE.txt', hello)]))).toBe('ZIP_DUPLICATE_ENTRY');
    expect(await openCode(buildZip([storedEntry('a', hello), storedEntry('a/b.txt', hello)]))).toBe('ZIP_DUPLICATE_ENTRY');
  });

  it('refuses a symlink entry (raw and CPython-made)', async () => {
    const raw = buildZip([{ ...storedEntry('link', Buffer.from('/etc/passwd')), externalAttributes: (0o120777 << 16) >>> 0 }]);
    expect(await openCode(raw)).toBe('ZIP_LINK_ENTRY');

    const path = join(dir, 'symlink-python.zip');
    execFileSync('python3', [
      '-c',
      [
        'import sys, zipfile',
        'i = zipfile.ZipInfo("files/link")',
        'i.external_attr = 0o120777 << 16',
        'with zipfile.ZipFile(sys.argv[1], "w") as z:',
        '    z.writestr("files/a.txt", b"a")',
        '    z.writestr(i, "../../etc/passwd")',
      ].join('\n'),
      path,
    ]);
    const opened = await openContainer({ path });
    expect(opened).toMatchObject({ ok: false, error: { code: 'ZIP_LINK_ENTRY', path: 'files/link' } });
  });

  it('refuses other non-regular entries (FIFO, device)', async () => {
    expect(await openCode(buildZip([{ ...storedEntry('fifo', hello), externalAttributes: (0o010644 << 16) >>> 0 }]))).toBe('ZIP_LINK_ENTRY');
    expect(await openCode(buildZip([{ ...storedEntry('dev', hello), externalAttributes: (0o020644 << 16) >>> 0 }]))).toBe('ZIP_LINK_ENTRY');
  });

  it('refuses encrypted entries', async () => {
    expect(await openCode(buildZip([{ ...storedEntry('a.txt', hello), flags: 0x0801 }]))).toBe('ZIP_ENCRYPTED');
    // As ZipCrypto really writes it: a 12-byte header before the data.
    const withHeader = Buffer.concat([randomBytes(12), hello]);
    expect(await openCode(buildZip([{ ...storedEntry('a.txt', hello), data: withHeader, flags: 0x0801 }]))).toBe('ZIP_ENCRYPTED');
    // Strong encryption (flag bit 6).
    expect(await openCode(buildZip([{ ...storedEntry('a.txt', hello), flags: 0x0841 }]))).toBe('ZIP_ENCRYPTED');
  });

  it('refuses compression methods other than STORE and DEFLATE', async () => {
    expect(await openCode(buildZip([{ ...storedEntry('a.txt', hello), method: 12 }]))).toBe('ZIP_UNSUPPORTED_METHOD');
  });

  it('refuses 10,000 entries from the end-of-central-directory count', async () => {
    const entries: RawEntry[] = [];
    for (let i = 0; i < 10_000; i++) entries.push(storedEntry(`f${i}.txt`, Buffer.from('x')));
    expect(await openCode(buildZip(entries))).toBe('ZIP_TOO_MANY_ENTRIES');
    expect(await openCode(buildZip(entries.slice(0, 50)), { maxEntries: 49 })).toBe('ZIP_TOO_MANY_ENTRIES');
    expect(await openCode(buildZip(entries.slice(0, 50)), { maxEntries: 50 })).toBe('OK');
  });

  it('refuses declared sizes over the per-entry and total limits', async () => {
    const bytes = buildZip([storedEntry('a.bin', Buffer.alloc(3000)), storedEntry('b.bin', Buffer.alloc(3000))]);
    expect(await openCode(bytes, { maxEntryBytes: 2999 })).toBe('ZIP_TOO_LARGE');
    expect(await openCode(bytes, { maxTotalBytes: 5999 })).toBe('ZIP_TOO_LARGE');
    expect(await openCode(bytes, { maxEntryBytes: 3000, maxTotalBytes: 6000 })).toBe('OK');
  });

  it('refuses a zip bomb by its declared ratio (200 MiB of zeros in ~200 KB)', async () => {
    const bomb = deflatedEntry('zeros.bin', Buffer.alloc(200 * 1024 * 1024));
    expect(bomb.data.length).toBeLessThan(300 * 1024);
    expect(await openCode(buildZip([bomb]))).toBe('ZIP_BOMB');
  });

  it('refuses overlapping entries (non-recursive bomb construction)', async () => {
    const one = storedEntry('a.txt', hello);
    const bytes = buildZip([one, { ...storedEntry('b.txt', hello), offset: 0, localName: Buffer.from('a.txt') }]);
    expect(await openCode(bytes)).toBe('ZIP_BOMB');
  });

  it('refuses a stored entry whose compressed and uncompressed sizes differ', async () => {
    expect(await openCode(buildZip([{ ...storedEntry('a.txt', hello), uncompressedSize: 5 }]))).toBe('ZIP_SIZE_MISMATCH');
  });

  it('refuses a count the file cannot hold', async () => {
    expect(await openCode(buildZip([storedEntry('a.txt', hello)], { entryCount: 1000 }))).toBe('ZIP_UNREADABLE');
  });

  it.each([
    ['empty file', Buffer.alloc(0)],
    ['random garbage', randomBytes(4096)],
    ['a lone local header', buildZip([storedEntry('a.txt', hello)]).subarray(0, 40)],
  ])('%s -> ZIP_UNREADABLE', async (_label, bytes) => {
    expect(await openCode(bytes)).toBe('ZIP_UNREADABLE');
  });

  it('refuses a truncated container written by our own writer', async () => {
    writeFileSync(join(dir, 'src.bin'), randomBytes(100_000));
    const out = join(dir, 'full.zip');
    const writer = createContainerWriter({ outputPath: out });
    await writer.addFile('files/src.bin', join(dir, 'src.bin'), { digests: ['sha-256'] });
    await writer.close();
    const full = readFileSync(out);
    rmSync(out);
    rmSync(join(dir, 'src.bin'));
    expect(await openCode(full)).toBe('OK');
    expect(await openCode(full.subarray(0, full.length - 10))).toBe('ZIP_UNREADABLE');
    expect(await openCode(full.subarray(0, full.length / 2))).toBe('ZIP_UNREADABLE');
  });

  it('refuses a container path that is a directory or a FIFO at once (the FIFO open does not wait for a writer)', async () => {
    const fifo = join(dir, 'pipe.zip');
    execFileSync('mkfifo', [fifo]);
    try {
      for (const path of [dir, fifo]) {
        const opened = await openContainer({ path });
        expect(opened).toMatchObject({ ok: false, error: { code: 'ZIP_UNREADABLE' } });
        if (!opened.ok) expect(opened.error.message).toMatch(/regular file/u);
      }
    } finally {
      rmSync(fifo);
    }
  });

  it('reports a missing file as ZIP_UNREADABLE without throwing', async () => {
    const opened = await openContainer({ path: join(dir, 'does-not-exist.zip') });
    expect(opened).toMatchObject({ ok: false, error: { code: 'ZIP_UNREADABLE' } });
  });
});

describe('entry reads enforce declared sizes and CRC-32', () => {
  it('stops a lying header (declared 1000 bytes, inflates to 10 MiB) with ZIP_BOMB', async () => {
    const content = Buffer.alloc(10 * 1024 * 1024);
    const lying: RawEntry = { ...deflatedEntry('lie.bin', content), uncompressedSize: 1000, crc: crc32(content.subarray(0, 1000)) };
    expect(await readCodes(buildZip([lying]), 'lie.bin')).toEqual(['ZIP_BOMB', 'ZIP_BOMB', 'ZIP_BOMB', 'NOTHING']);
  });

  it('refuses an entry that inflates to fewer bytes than declared with ZIP_SIZE_MISMATCH', async () => {
    const content = Buffer.from('short');
    const entry: RawEntry = { ...deflatedEntry('short.txt', content), uncompressedSize: 500 };
    expect(await readCodes(buildZip([entry]), 'short.txt')).toEqual(['ZIP_SIZE_MISMATCH', 'ZIP_SIZE_MISMATCH', 'ZIP_SIZE_MISMATCH', 'NOTHING']);
  });

  it('detects a flipped byte in STORED data with ZIP_CRC_MISMATCH', async () => {
    const content = randomBytes(50_000);
    const entry = storedEntry('data.bin', content);
    const flipped = Buffer.from(content);
    flipped[25_000] = (flipped[25_000] ?? 0) ^ 0xff;
    const bytes = buildZip([{ ...entry, data: flipped }]);
    expect(await readCodes(bytes, 'data.bin')).toEqual(['ZIP_CRC_MISMATCH', 'ZIP_CRC_MISMATCH', 'ZIP_CRC_MISMATCH', 'NOTHING']);
    // The same bytes unflipped read fine: the test can tell the difference.
    expect(await readCodes(buildZip([entry]), 'data.bin')).toEqual(['OK', 'OK', 'OK', 'EXTRACTED']);
  });

  it('refuses corrupt DEFLATE data with ZIP_UNREADABLE', async () => {
    const content = Buffer.from('x'.repeat(1000));
    const data = Buffer.from(deflateRawSync(content));
    data.fill(0xff, 0, 4);
    expect(await readCodes(buildZip([{ ...deflatedEntry('x.txt', content), data }]), 'x.txt')).toEqual([
      'ZIP_UNREADABLE',
      'ZIP_UNREADABLE',
      'ZIP_UNREADABLE',
      'NOTHING',
    ]);
  });

  it('refuses an entry whose local header names another file', async () => {
    const bytes = buildZip([{ ...storedEntry('a.txt', hello), localName: Buffer.from('../a.txt') }]);
    expect(await readCodes(bytes, 'a.txt')).toEqual(['ZIP_UNSAFE_PATH', 'ZIP_UNSAFE_PATH', 'ZIP_UNSAFE_PATH', 'NOTHING']);
  });
});

// Containers up to WHOLE_CONTAINER_BYTES are read into memory at open; larger ones are read
// through the descriptor with only their tail cached. Both paths must behave identically.
describe('containers larger than the in-memory threshold', () => {
  const pad = (): Buffer => randomBytes(WHOLE_CONTAINER_BYTES + 512 * 1024);

  it('reads entries before and inside the cached tail every way, and leaks no descriptor', async () => {
    const big = pad();
    const deflatedText = Buffer.from('letter text\n'.repeat(5000));
    const bytes = buildZip([storedEntry('files/big.bin', big), storedEntry('files/big.bin.p7s', hello), deflatedEntry('envelope.xml', deflatedText)]);
    expect(bytes.length).toBeGreaterThan(WHOLE_CONTAINER_BYTES);
    expect(await openCode(bytes)).toBe('OK');
    expect(await readCodes(bytes, 'files/big.bin')).toEqual(['OK', 'OK', 'OK', 'EXTRACTED']);
    expect(await readCodes(bytes, 'envelope.xml')).toEqual(['OK', 'OK', 'OK', 'EXTRACTED']);

    const path = writeZip(bytes);
    const before = openFds();
    const opened = await openContainer({ path });
    if (!opened.ok) throw new Error(opened.error.message);
    const digested = await opened.value.digestEntry('files/big.bin', ['sha-256']);
    expect(digested).toEqual({ ok: true, value: { size: big.length, digests: { 'sha-256': createHash('sha256').update(big).digest() } } });
    expect(await opened.value.readEntry('envelope.xml', 1 << 20)).toEqual({ ok: true, value: deflatedText });
    expect(await opened.value.readEntry('files/big.bin.p7s', 1 << 20)).toEqual({ ok: true, value: hello });
    // While open, a large container keeps exactly one descriptor.
    expect(openFds()).toBe(before + 1);
    await opened.value.close();
    expect(openFds()).toBe(before);
  });

  it('detects a flipped byte outside the cached tail with ZIP_CRC_MISMATCH', async () => {
    const content = pad();
    const entry = storedEntry('data.bin', content);
    const flipped = Buffer.from(content);
    flipped[1000] = (flipped[1000] ?? 0) ^ 0xff;
    expect(await readCodes(buildZip([{ ...entry, data: flipped }]), 'data.bin')).toEqual(['ZIP_CRC_MISMATCH', 'ZIP_CRC_MISMATCH', 'ZIP_CRC_MISMATCH', 'NOTHING']);
  });

  it('refuses a truncated large container and overlapping entries', async () => {
    const bytes = buildZip([storedEntry('a.bin', pad()), storedEntry('b.txt', hello)]);
    expect(await openCode(bytes)).toBe('OK');
    expect(await openCode(bytes.subarray(0, bytes.length - 10))).toBe('ZIP_UNREADABLE');
    expect(await openCode(bytes.subarray(0, bytes.length - 100_000))).toBe('ZIP_UNREADABLE');
    const overlapping = buildZip([storedEntry('a.bin', pad()), { ...storedEntry('b.bin', hello), offset: 0 }]);
    expect(await openCode(overlapping)).toBe('ZIP_BOMB');
  });

  it('reads a container larger than the first read but held in memory (1 MiB) every way', async () => {
    const middle = randomBytes(1024 * 1024);
    const bytes = buildZip([storedEntry('files/a.bin', middle), deflatedEntry('envelope.xml', Buffer.from('x'.repeat(3000)))]);
    expect(await openCode(bytes)).toBe('OK');
    expect(await readCodes(bytes, 'files/a.bin')).toEqual(['OK', 'OK', 'OK', 'EXTRACTED']);
    expect(await readCodes(bytes, 'envelope.xml')).toEqual(['OK', 'OK', 'OK', 'EXTRACTED']);
    const flipped = Buffer.from(bytes);
    flipped[500_000] = (flipped[500_000] ?? 0) ^ 0xff;
    expect(await readCodes(flipped, 'files/a.bin')).toEqual(['ZIP_CRC_MISMATCH', 'ZIP_CRC_MISMATCH', 'ZIP_CRC_MISMATCH', 'NOTHING']);
  });

  it('a small container gives its descriptor back at once, before close', async () => {
    const path = writeZip(buildZip([storedEntry('a.txt', hello)]));
    const before = openFds();
    const opened = await openContainer({ path });
    if (!opened.ok) throw new Error(opened.error.message);
    // The descriptor is closed while the caller works on the bytes; wait for that close to land.
    await new Promise((r) => setTimeout(r, 50));
    expect(openFds()).toBe(before);
    expect(await opened.value.readEntry('a.txt', 100)).toEqual({ ok: true, value: hello });
    await opened.value.close();
    expect(openFds()).toBe(before);
  });
});
