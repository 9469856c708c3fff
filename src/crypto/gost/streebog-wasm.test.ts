import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createStreebog, streebog, type StreebogBits } from './streebog.ts';

/**
 * The wasm g_N adds Σ in 64-bit limbs and shares one memory between all contexts: these inputs
 * aim at the carry chain and at interleaved contexts, with openssl's GOST engine as the oracle.
 */
describe('Streebog wasm core: carries and shared memory', () => {
  const dir = mkdtempSync(join(tmpdir(), 'edx-streebog-wasm-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function openssl(bits: StreebogBits, data: Uint8Array): string {
    const file = join(dir, `in-${bits}`);
    writeFileSync(file, data);
    const out = execFileSync('openssl', ['dgst', '-engine', 'gost', `-md_gost12_${bits}`, '-r', file], { stdio: ['ignore', 'pipe', 'ignore'] });
    return out.toString().split(' ')[0] ?? '';
  }

  const ff = (n: number): Uint8Array => new Uint8Array(n).fill(0xff);
  const cases: Record<string, Uint8Array> = {
    // Σ = 2^512 - 1 after block 1; block 2 = 1 carries through all eight limbs and wraps to 0.
    'all-ones block then 1': Buffer.concat([ff(64), Buffer.from([1]), new Uint8Array(63)]),
    // Each limb sum wraps and the incoming carry lands on 2^64 - 1: both carry paths.
    'three all-ones blocks': ff(192),
    'all-ones blocks, partial tail': ff(64 * 5 + 31),
    'limb 0 all ones, then 1 in byte 0': Buffer.concat([ff(8), new Uint8Array(56), Buffer.from([1]), new Uint8Array(63)]),
  };
  for (const bits of [256, 512] as const) {
    for (const [name, data] of Object.entries(cases)) {
      it(`Streebog-${bits}: ${name}`, () => {
        expect(streebog(bits, data).toString('hex')).toBe(openssl(bits, data));
      });
    }
  }

  it('interleaved contexts do not see each other’s state', () => {
    const a = randomBytes(200_000);
    const b = randomBytes(70_001);
    const ha = createStreebog(256);
    const hb = createStreebog(512);
    for (let i = 0; i < 10; i += 1) {
      ha.update(a.subarray(i * 20_000, (i + 1) * 20_000));
      hb.update(b.subarray(i * 7000, (i + 1) * 7000));
    }
    hb.update(b.subarray(70_000));
    expect(ha.digest().toString('hex')).toBe(openssl(256, a));
    expect(hb.digest().toString('hex')).toBe(openssl(512, b));
  });

  it('a chunk longer than the 64 KiB input window', () => {
    const data = randomBytes(3 * 65536 + 100);
    const h = createStreebog(512);
    h.update(data.subarray(0, 5));
    h.update(data.subarray(5));
    expect(h.digest().toString('hex')).toBe(openssl(512, data));
  });
});
