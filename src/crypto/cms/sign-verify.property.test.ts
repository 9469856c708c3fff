/** Property: whatever the content and key type, sign -> verify passes, and one flipped content byte fails. */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIGEST_ALGORITHMS, digestBytes, isNodeHash, type DigestAlgorithm } from '../digest.ts';
import type { RsaScheme } from '../types.ts';
import { signDetached } from './sign-detached.ts';
import { createTestPki, type TestPki } from './test-pki.ts';
import { DEFAULT_VALIDATION_POLICY } from './validation-policy.ts';
import { verifyDetached } from './verify-detached.ts';

let pki: TestPki;
beforeAll(() => {
  pki = createTestPki();
});
afterAll(() => pki.cleanup());

function digests(bytes: Uint8Array): Partial<Record<DigestAlgorithm, Buffer>> {
  return Object.fromEntries(DIGEST_ALGORITHMS.map((a) => [a, digestBytes(a, bytes)]));
}

describe('sign/verify round trip', () => {
  it('passes for the signed bytes and fails with HASH_FAILURE after one flipped byte', () => {
    const keys = ['rsa-pkcs1', 'rsa-pss', 'ec256', 'ec384'] as const;
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 4096 }),
        fc.constantFrom(...keys),
        // RSA and ECDSA keys sign SHA-2; GOST round trips are in test/gost-cms.test.ts.
        fc.constantFrom(...DIGEST_ALGORITHMS.filter(isNodeHash)),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (bytes, key, alg, pos, mask) => {
          const leaf = key === 'ec256' ? pki.leaves.ec256 : key === 'ec384' ? pki.leaves.ec384 : pki.leaves.rsa;
          const rsaScheme: RsaScheme = key === 'rsa-pss' ? 'pss' : 'pkcs1';
          const now = new Date();
          const sig = signDetached({
            contentDigest: digestBytes(alg, bytes),
            digestAlgorithm: alg,
            privateKey: leaf.privateKey,
            certificate: leaf.certificate,
            extraCertificates: [pki.intermediate.certificate],
            signingTime: now,
            rsaScheme,
          });
          const input = {
            signature: sig,
            trustAnchors: [{ certificate: pki.root.certificate, qualified: false }],
            policy: { ...DEFAULT_VALIDATION_POLICY, revocation: 'skip' as const },
            now,
          };
          const good = verifyDetached({ ...input, contentDigests: digests(bytes) });
          expect(good.map((r) => r.indication)).toEqual(['TOTAL-PASSED']);
          const flipped = Uint8Array.from(bytes);
          const i = pos % flipped.length;
          flipped[i] = (flipped[i] ?? 0) ^ mask;
          const bad = verifyDetached({ ...input, contentDigests: digests(flipped) });
          expect(bad.map((r) => [r.indication, r.subIndication])).toEqual([['TOTAL-FAILED', 'HASH_FAILURE']]);
        },
      ),
      { numRuns: 40 },
    );
  });
});
