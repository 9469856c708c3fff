/**
 * signDetached against the independent oracle `openssl cms -verify` (with and without -cades,
 * which makes OpenSSL check the ESS signing-certificate-v2 binding).
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIGEST_ALGORITHMS, digestBytes, isNodeHash } from '../digest.ts';
import { derTime, parseStrict } from './der.ts';
import { inspectSignature } from './inspect-signature.ts';
import { parseSignedData } from './parse-signed-data.ts';
import { signDetached } from './sign-detached.ts';
import { createTestPki, openssl, type TestIdentity, type TestPki } from './test-pki.ts';
import { OID } from '../oids.ts';

let pki: TestPki;
let contentFile: string;
const content = Buffer.from('Письмо № 1: the bytes that are signed\n\u0000\u00ff binary tail', 'utf8');

beforeAll(() => {
  pki = createTestPki();
  contentFile = join(pki.dir, 'content.bin');
  writeFileSync(contentFile, content);
});
afterAll(() => pki.cleanup());

function opensslVerify(sig: Buffer, cades: boolean): { status: number | null; stderr: string } {
  const sigFile = join(pki.dir, `sig-${Math.random().toString(36).slice(2)}.p7s`);
  writeFileSync(sigFile, sig);
  const args = ['cms', '-verify', '-binary', '-inform', 'DER', '-in', sigFile, '-content', contentFile, '-CAfile', pki.rootFile, '-out', '/dev/null'];
  const r = spawnSync('openssl', cades ? [...args, '-cades'] : args);
  return { status: r.status, stderr: r.stderr.toString() };
}

const cases: [string, (p: TestPki) => TestIdentity, 'pkcs1' | 'pss'][] = [
  ['RSA 2048 PKCS#1 v1.5', (p) => p.leaves.rsa, 'pkcs1'],
  ['RSA 2048 PSS', (p) => p.leaves.rsa, 'pss'],
  ['EC P-256', (p) => p.leaves.ec256, 'pkcs1'],
  ['EC P-384', (p) => p.leaves.ec384, 'pkcs1'],
];

describe('signDetached verified by openssl cms -verify', () => {
  for (const [label, pick, rsaScheme] of cases) {
    for (const alg of DIGEST_ALGORITHMS.filter(isNodeHash)) {
      it(`${label} with ${alg}`, () => {
        const leaf = pick(pki);
        const sig = signDetached({
          contentDigest: digestBytes(alg, content),
          digestAlgorithm: alg,
          privateKey: leaf.privateKey,
          certificate: leaf.certificate,
          extraCertificates: [pki.intermediate.certificate],
          signingTime: new Date(),
          rsaScheme,
        });
        const plain = opensslVerify(sig, false);
        expect(plain.stderr).toContain('Verification successful');
        expect(plain.status).toBe(0);
        const cades = opensslVerify(sig, true);
        expect(cades.stderr).toContain('Verification successful');
        expect(cades.status).toBe(0);
        expect(inspectSignature(sig)).toEqual({ ok: true, value: { digestAlgorithms: [alg], signerCount: 1 } });
      });
    }
  }

  it('is rejected by openssl when the content differs (the oracle can fail)', () => {
    const leaf = pki.leaves.ec256;
    const sig = signDetached({
      contentDigest: digestBytes('sha-256', Buffer.from('other bytes')),
      digestAlgorithm: 'sha-256',
      privateKey: leaf.privateKey,
      certificate: leaf.certificate,
      extraCertificates: [pki.intermediate.certificate],
      signingTime: new Date(),
    });
    expect(opensslVerify(sig, false).status).not.toBe(0);
  });

  it('writes the structure RFC 5652 and RFC 5035 prescribe', () => {
    const leaf = pki.leaves.rsa;
    const sig = signDetached({
      contentDigest: digestBytes('sha-384', content),
      digestAlgorithm: 'sha-384',
      privateKey: leaf.privateKey,
      certificate: leaf.certificate,
      extraCertificates: [pki.intermediate.certificate],
      signingTime: new Date('2030-01-02T03:04:05.678Z'),
    });
    const sdv = parseSignedData(sig);
    expect(sdv.ok).toBe(true);
    if (!sdv.ok) return;
    const sd = sdv.value;
    expect(sd.hasEContent).toBe(false);
    expect(sd.eContentType).toBe(OID.data);
    expect(sd.certificates.map((c) => c.toString('hex'))).toEqual([leaf.certificate.toString('hex'), pki.intermediate.certificate.toString('hex')]);
    const [si] = sd.signers;
    expect(si?.signatureAlgorithmOid).toBe(OID.sha384WithRSAEncryption);
    expect(si?.signedAttrs.map((a) => a.type).sort()).toEqual(
      [OID.contentType, OID.signingTime, OID.messageDigest, OID.signingCertificateV2].sort(),
    );
    const printed = openssl(['cms', '-cmsout', '-print', '-inform', 'DER'], sig).toString();
    expect(printed).toMatch(/digestAlgorithms:\s*\n\s*algorithm: sha384[^\n]*\n\s*parameter: <ABSENT>/u);
    expect(printed).toContain('UTCTIME:Jan  2 03:04:05 2030 GMT');
    // SHA-256 ESSCertIDv2: hashAlgorithm is the DEFAULT and must not be encoded: SEQ { OCTET STRING(32) ...
    const essHex = si?.signedAttrs.find((a) => a.type === OID.signingCertificateV2)?.values[0]?.toBER(false);
    expect(essHex).toBeDefined();
    expect(Buffer.from(essHex ?? new ArrayBuffer(0)).toString('hex')).toMatch(/^30[0-9a-f]{2,6}30[0-9a-f]{2,6}30[0-9a-f]{2,6}0420/u);
  });

  it('encodes signingTime as UTCTime until 2049 and GeneralizedTime from 2050 (RFC 5652 §11.3)', () => {
    expect(derTime(new Date('2049-12-31T23:59:59.999Z')).toString('latin1')).toBe('\u0017\u000d491231235959Z');
    expect(derTime(new Date('2050-01-01T00:00:00Z')).toString('latin1')).toBe('\u0018\u000f20500101000000Z');
    expect(derTime(new Date('1949-06-01T00:00:00Z'))[0]).toBe(0x18);
    expect(parseStrict(derTime(new Date('2050-01-01T00:00:00Z')))).not.toBeNull();
  });

  it('verifies with openssl also when signingTime is a GeneralizedTime', () => {
    const leaf = pki.leaves.ec384;
    const sig = signDetached({
      contentDigest: digestBytes('sha-256', content),
      digestAlgorithm: 'sha-256',
      privateKey: leaf.privateKey,
      certificate: leaf.certificate,
      signingTime: new Date('2051-05-05T00:00:00Z'),
    });
    expect(opensslVerify(sig, true).status).toBe(0);
  });

  it('throws on a digest of the wrong length (programmer error)', () => {
    const leaf = pki.leaves.ec256;
    expect(() =>
      signDetached({ contentDigest: Buffer.alloc(20), digestAlgorithm: 'sha-256', privateKey: leaf.privateKey, certificate: leaf.certificate, signingTime: new Date() }),
    ).toThrow(/contentDigest/u);
  });
});
