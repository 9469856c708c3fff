import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GOST_OIDS } from './gost/index.ts';
import { createHasher, DIGEST_ALGORITHMS, digestAlgorithmFromOid, digestAlgorithmOid, digestBytes, digestLength, nodeHashName } from './digest.ts';

const dir = mkdtempSync(join(tmpdir(), 'edx-digest-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `openssl dgst` as the independent oracle; Streebog through the GOST engine. */
function opensslDigest(algorithm: (typeof DIGEST_ALGORITHMS)[number], path: string): string {
  const md = { 'sha-256': ['-sha256'], 'sha-384': ['-sha384'], 'sha-512': ['-sha512'], 'streebog-256': ['-engine', 'gost', '-md_gost12_256'], 'streebog-512': ['-engine', 'gost', '-md_gost12_512'] }[algorithm];
  const out = execFileSync('openssl', ['dgst', ...md, '-r', path], { stdio: ['ignore', 'pipe', 'ignore'] }).toString();
  return out.split(' ')[0] ?? '';
}

describe('digests', () => {
  const data = randomBytes(200_001);
  const path = join(dir, 'data');
  writeFileSync(path, data);

  it.each(DIGEST_ALGORITHMS)('%s: one-shot and streamed in odd chunks equal openssl dgst', (algorithm) => {
    const expected = opensslDigest(algorithm, path);
    expect(digestBytes(algorithm, data).toString('hex')).toBe(expected);
    const hasher = createHasher(algorithm);
    for (let at = 0; at < data.length; at += 4093) hasher.update(data.subarray(at, at + 4093));
    const streamed = hasher.digest();
    expect(streamed.toString('hex')).toBe(expected);
    expect(streamed.length).toBe(digestLength(algorithm));
    expect(digestAlgorithmFromOid(digestAlgorithmOid(algorithm))).toBe(algorithm);
  });

  it('names Streebog by the RFC 9215 OIDs, and node:crypto names only SHA-2', () => {
    expect(digestAlgorithmOid('streebog-256')).toBe(GOST_OIDS.digest256);
    expect(digestAlgorithmOid('streebog-512')).toBe(GOST_OIDS.digest512);
    expect(nodeHashName('sha-384')).toBe('sha384');
    expect(() => nodeHashName('streebog-256')).toThrow(/digestBytes/u);
  });
});
