/**
 * parseSignedData reads the common shape by offsets and leaves the rest to pkijs: both paths must
 * give the same result, for our signatures, for `openssl cms -sign` ones, and for damaged bytes.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestBytes } from '../digest.ts';
import { parseSignedData, parseSignedDataFast, parseSignedDataWithPkijs, type ParsedSignedData } from './parse-signed-data.ts';
import { signDetached } from './sign-detached.ts';
import { createTestPki, openssl, type TestIdentity, type TestPki } from './test-pki.ts';

let pki: TestPki;
let contentFile: string;
const content = Buffer.from('content for parse tests\n');
beforeAll(() => {
  pki = createTestPki();
  contentFile = join(pki.dir, 'parse-content.bin');
  writeFileSync(contentFile, content);
});
afterAll(() => pki.cleanup());

/** A comparable form: asn1js attribute values as their DER hex. */
function plain(sd: ParsedSignedData): unknown {
  return {
    ...sd,
    signers: sd.signers.map((s) => ({
      ...s,
      signatureAlgorithmParams: undefined,
      signedAttrs: s.signedAttrs.map((a) => ({ type: a.type, values: a.values.map((v) => Buffer.from(v.toBER(false)).toString('hex')) })),
    })),
  };
}

function ours(leaf: TestIdentity): Buffer {
  return signDetached({
    contentDigest: digestBytes('sha-384', content),
    digestAlgorithm: 'sha-384',
    privateKey: leaf.privateKey,
    certificate: leaf.certificate,
    extraCertificates: [pki.intermediate.certificate],
    signingTime: new Date(Date.UTC(2026, 0, 2, 3, 4, 5)),
  });
}

function opensslSigned(leaf: TestIdentity, flags: readonly string[]): Buffer {
  const out = join(pki.dir, `parse-${leaf.name}-${flags.join('')}.p7s`.replace(/[^\w.-]/gu, '_'));
  openssl(['cms', '-sign', '-binary', '-outform', 'DER', '-in', contentFile, '-signer', leaf.certPath, '-inkey', leaf.keyPath, '-out', out, ...flags]);
  return openssl(['cms', '-cmsout', '-inform', 'DER', '-outform', 'DER', '-in', out]);
}

describe('parseSignedData fast path', () => {
  it('reads our signatures exactly as pkijs does', () => {
    for (const leaf of [pki.leaves.ec256, pki.leaves.ec384, pki.leaves.rsa]) {
      const sig = ours(leaf);
      const fast = parseSignedDataFast(sig);
      const slow = parseSignedDataWithPkijs(sig);
      expect(fast?.ok).toBe(true);
      expect(slow.ok).toBe(true);
      if (fast?.ok !== true || !slow.ok) continue;
      expect(plain(fast.value)).toEqual(plain(slow.value));
      expect(fast.value.signers[0]?.signedAttrsDer?.[0]).toBe(0x31);
    }
  });

  it('reads openssl signatures (issuer/serial and key id, with and without -cades) exactly as pkijs does', () => {
    for (const flags of [['-cades'], [], ['-keyid', '-cades'], ['-md', 'sha512']]) {
      const sig = opensslSigned(pki.leaves.ec256, flags);
      const fast = parseSignedDataFast(sig);
      const slow = parseSignedDataWithPkijs(sig);
      expect(slow.ok).toBe(true);
      expect(fast?.ok).toBe(true);
      if (fast?.ok !== true || !slow.ok) continue;
      expect(plain(fast.value)).toEqual(plain(slow.value));
    }
  });

  it('leaves RSASSA-PSS parameters to pkijs', () => {
    const sig = opensslSigned(pki.leaves.rsa, ['-keyopt', 'rsa_padding_mode:pss']);
    expect(parseSignedDataFast(sig)).toBeNull();
    expect(parseSignedData(sig).ok).toBe(true);
  });

  it('agrees with pkijs on damaged signatures (flipped bytes, truncation)', () => {
    const sig = ours(pki.leaves.ec256);
    fc.assert(
      fc.property(fc.nat(), fc.integer({ min: 1, max: 255 }), fc.boolean(), (pos, mask, truncate) => {
        const bad = Buffer.from(sig);
        const i = pos % bad.length;
        const damaged = truncate ? bad.subarray(0, i) : (bad.writeUInt8((bad[i] ?? 0) ^ mask, i), bad);
        const slow = parseSignedDataWithPkijs(damaged);
        const combined = parseSignedData(damaged);
        expect(combined.ok).toBe(slow.ok);
        if (combined.ok && slow.ok) expect(plain(combined.value)).toEqual(plain(slow.value));
      }),
      { numRuns: 300 },
    );
  });
});
