import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { createStreebog, hmacStreebog, streebog, type StreebogBits } from './streebog.ts';

/** RFC 6986 prints vectors as big-endian numbers of little-endian vectors: reverse to get bytes. */
const rfcHex = (hex: string): Buffer => Buffer.from(hex, 'hex').reverse();

const M1 = rfcHex('323130393837363534333231303938373635343332313039383736353433323130393837363534333231303938373635343332313039383736353433323130');
const M2 = rfcHex(
  'fbe2e5f0eee3c820fbeafaebef20fffbf0e1e0f0f520e0ed20e8ece0ebe5f0f2f120fff0eeec20f120faf2fee5e2202ce8f6f3ede220e8e6eee1e8f0f2d1202ce8f0f2e5e220e5d1',
);

describe('Streebog known answers (RFC 6986 §10)', () => {
  it('M1 is the ASCII digits string once byte order is fixed', () => {
    expect(M1.toString('latin1')).toBe('012345678901234567890123456789012345678901234567890123456789012');
  });
  it('M1, 512 bit (§10.1.1)', () => {
    expect(streebog(512, M1)).toEqual(
      rfcHex('486f64c1917879417fef082b3381a4e211c324f074654c38823a7b76f830ad00fa1fbae42b1285c0352f227524bc9ab16254288dd6863dccd5b9f54a1ad0541b'),
    );
  });
  it('M1, 256 bit (§10.1.2)', () => {
    expect(streebog(256, M1)).toEqual(rfcHex('00557be5e584fd52a449b16b0251d05d27f94ab76cbaa6da890b59d8ef1e159d'));
  });
  it('M2, 512 bit (§10.2.1)', () => {
    expect(streebog(512, M2)).toEqual(
      rfcHex('28fbc9bada033b1460642bdcddb90c3fb3e56c497ccd0f62b8a2ad4935e85f037613966de4ee00531ae60f3b5a47f8dae06915d5f2f194996fcabf2622e6881e'),
    );
  });
  it('M2, 256 bit (§10.2.2)', () => {
    expect(streebog(256, M2)).toEqual(rfcHex('508f7e553c06501d749a66fc28c6cac0b005746d97537fa85d9e40904efed29d'));
  });
  it('empty message (widely published value)', () => {
    expect(streebog(256, new Uint8Array(0)).toString('hex')).toBe('3f539a213e97c802cc229d474c6aa32a825a360b2a933a949fd925208d9ce1bb');
  });
  it('a streaming context rejects use after digest()', () => {
    const h = createStreebog(256);
    h.digest();
    expect(() => h.update(new Uint8Array(1))).toThrow();
  });
});

describe('HMAC-Streebog (RFC 7836 §A.1)', () => {
  const key = Buffer.from('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f', 'hex');
  const data = Buffer.from('0126bdb87800af214341456563780100', 'hex');
  it('HMAC_GOSTR3411_2012_256', () => {
    expect(hmacStreebog(256, key, data).toString('hex')).toBe('a1aa5f7de402d7b3d323f2991c8d4534013137010a83754fd0af6d7cd4922ed9');
  });
  it('HMAC_GOSTR3411_2012_512', () => {
    expect(hmacStreebog(512, key, data).toString('hex')).toBe(
      'a59bab22ecae19c65fbde6e5f4e9f5d8549d31f037f9df9b905500e171923a773d5f1530f2ed7e964cb2eedc29e9ad2f3afe93b2814f79f5000ffc0366c251e6',
    );
  });
  it('keys longer than a block are hashed first, like OpenSSL', () => {
    const longKey = randomBytes(100);
    const out = execFileSync('openssl', ['dgst', '-engine', 'gost', '-md_gost12_256', '-mac', 'hmac', '-macopt', `hexkey:${longKey.toString('hex')}`, '-r'], {
      input: data,
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    expect(hmacStreebog(256, longKey, data).toString('hex')).toBe(out.toString().split(' ')[0]);
  });
});

describe('Streebog against openssl dgst -engine gost', () => {
  const dir = mkdtempSync(join(tmpdir(), 'edx-streebog-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** One openssl process for many files: `-r` prints "<hex> *<file>" per file, in order. */
  function opensslDigests(bits: StreebogBits, inputs: readonly Uint8Array[]): string[] {
    const files = inputs.map((data, i) => {
      const file = join(dir, `in-${bits}-${i}`);
      writeFileSync(file, data);
      return file;
    });
    const out = execFileSync('openssl', ['dgst', '-engine', 'gost', `-md_gost12_${bits}`, '-r', ...files], { stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 1 << 24 });
    return out
      .toString()
      .trim()
      .split('\n')
      .map((line) => line.split(' ')[0] ?? '');
  }

  function streamed(bits: StreebogBits, data: Uint8Array, chunkSizes: readonly number[]): string {
    const h = createStreebog(bits);
    let offset = 0;
    for (let i = 0; offset < data.length; i += 1) {
      const size = chunkSizes[i % chunkSizes.length] ?? 1;
      h.update(data.subarray(offset, offset + size));
      offset += size;
    }
    return h.digest().toString('hex');
  }

  const fixedLengths = [0, 1, 63, 64, 65, 127, 128, 129, 1000, 3 * 1024 * 1024 + 17];
  for (const bits of [256, 512] as const) {
    it(`Streebog-${bits}: lengths ${fixedLengths.join(', ')}`, () => {
      const inputs = fixedLengths.map((n) => randomBytes(n));
      const expected = opensslDigests(bits, inputs);
      expect(inputs.map((data) => streebog(bits, data).toString('hex'))).toEqual(expected);
      // The same inputs fed in odd chunks, including empty ones.
      expect(inputs.map((data) => streamed(bits, data, [7, 0, 64, 1, 129, 63]))).toEqual(expected);
    });

    it(`Streebog-${bits}: random inputs and chunkings (fast-check, one openssl run)`, () => {
      const arbitrary = fc.record({
        data: fc.uint8Array({ minLength: 0, maxLength: 700 }),
        chunks: fc.array(fc.integer({ min: 1, max: 200 }), { minLength: 1, maxLength: 6 }),
      });
      const samples = fc.sample(arbitrary, { numRuns: 60 });
      const expected = opensslDigests(
        bits,
        samples.map((s) => s.data),
      );
      samples.forEach((sample, i) => {
        expect(streebog(bits, sample.data).toString('hex')).toBe(expected[i]);
        expect(streamed(bits, sample.data, sample.chunks)).toBe(expected[i]);
      });
    });
  }
});
