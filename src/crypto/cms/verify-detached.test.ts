/**
 * verifyDetached: signatures made by `openssl cms -sign` (the independent implementation) must
 * verify; each negative case must yield its ETSI EN 319 102-1 sub-indication without throwing.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIGEST_ALGORITHMS, digestBytes, type DigestAlgorithm } from '../digest.ts';
import type { TrustAnchor, ValidationPolicy, ValidationReport } from '../types.ts';
import { inspectSignature } from './inspect-signature.ts';
import { parseSignedData } from './parse-signed-data.ts';
import { signDetached, signDetachedWithOverrides, type SignDetachedInput } from './sign-detached.ts';
import { createTestPki, openssl, type TestIdentity, type TestPki } from './test-pki.ts';
import { DEFAULT_VALIDATION_POLICY } from './validation-policy.ts';
import { verifyDetached } from './verify-detached.ts';

let pki: TestPki;
let contentFile: string;
let anchors: TrustAnchor[];
const content = Buffer.from('<envelope>signed bytes</envelope>\n');
const SKIP: ValidationPolicy = { ...DEFAULT_VALIDATION_POLICY, revocation: 'skip' };

beforeAll(() => {
  pki = createTestPki();
  contentFile = join(pki.dir, 'content.xml');
  writeFileSync(contentFile, content);
  anchors = [{ certificate: pki.root.certificate, qualified: false, label: 'Test Root' }];
});
afterAll(() => pki.cleanup());

function allDigests(bytes: Buffer): Partial<Record<DigestAlgorithm, Buffer>> {
  return Object.fromEntries(DIGEST_ALGORITHMS.map((a) => [a, digestBytes(a, bytes)]));
}

function verifyOne(signature: Buffer, opts: { policy?: ValidationPolicy; now?: Date; anchors?: TrustAnchor[]; digests?: Partial<Record<DigestAlgorithm, Buffer>> } = {}): ValidationReport {
  const reports = verifyDetached({
    signature,
    contentDigests: opts.digests ?? allDigests(content),
    trustAnchors: opts.anchors ?? anchors,
    policy: opts.policy ?? SKIP,
    now: opts.now ?? new Date(),
  });
  expect(reports).toHaveLength(1);
  const [r] = reports;
  if (r === undefined) throw new Error('no report');
  return r;
}

function ourSignature(leaf: TestIdentity, extra: Partial<SignDetachedInput> = {}): Buffer {
  return signDetached({
    contentDigest: digestBytes('sha-256', content),
    digestAlgorithm: 'sha-256',
    privateKey: leaf.privateKey,
    certificate: leaf.certificate,
    extraCertificates: [pki.intermediate.certificate],
    signingTime: new Date(),
    ...extra,
  });
}

function opensslSign(leaf: TestIdentity, md: string, flags: readonly string[]): Buffer {
  const out = join(pki.dir, `o-${leaf.name}-${md}-${flags.join('')}.p7s`.replace(/[^\w.-]/gu, '_'));
  openssl([
    'cms', '-sign', '-binary', '-outform', 'DER', '-in', contentFile, '-signer', leaf.certPath, '-inkey', leaf.keyPath,
    '-certfile', pki.intermediate.certPath, '-md', md, ...flags, '-out', out,
  ]);
  return openssl(['cms', '-cmsout', '-inform', 'DER', '-outform', 'DER', '-in', out]);
}

function checkStatus(r: ValidationReport, id: string): string | undefined {
  return r.checks.find((c) => c.id === id)?.status;
}

describe('signatures made by openssl cms -sign verify TOTAL-PASSED', () => {
  const signers: [string, (p: TestPki) => TestIdentity, string[], string][] = [
    ['RSA PKCS#1', (p) => p.leaves.rsa, [], 'rsa-pkcs1'],
    ['RSA PSS', (p) => p.leaves.rsa, ['-keyopt', 'rsa_padding_mode:pss'], 'rsa-pss'],
    ['EC P-256', (p) => p.leaves.ec256, [], 'ecdsa'],
    ['EC P-384', (p) => p.leaves.ec384, [], 'ecdsa'],
  ];
  for (const [label, pick, flags, family] of signers) {
    for (const md of ['sha256', 'sha384', 'sha512']) {
      for (const cades of [true, false]) {
        it(`${label} ${md} ${cades ? 'with' : 'without'} -cades`, () => {
          const sig = opensslSign(pick(pki), md, cades ? [...flags, '-cades'] : flags);
          const inspected = inspectSignature(sig);
          expect(inspected.ok && inspected.value.digestAlgorithms).toEqual([`sha-${md.slice(3)}`]);
          const r = verifyOne(sig);
          expect(r.errors).toEqual([]);
          expect(r.indication).toBe('TOTAL-PASSED');
          expect(r.subIndication).toBeNull();
          expect(r.signatureAlgorithm).toBe(`${family}-${md}`);
          expect(r.digestAlgorithm).toBe(`sha-${md.slice(3)}`);
          expect(r.qualification).toBe('advanced');
          expect(r.trustAnchor).toBe('Test Root');
          expect(r.chain.at(-1)?.subject).toBe('CN=Test Root,O=Test Root CA,C=RU');
          expect(r.revocation).toEqual({ checked: false, note: 'skipped by policy' });
          expect(r.warnings.some((w) => /revocation.*NOT checked/u.test(w))).toBe(true);
          const missingEss = r.warnings.includes('no signing-certificate-v2: not CAdES-BES');
          expect(missingEss).toBe(!cades);
        });
      }
    }
  }

  it('without -cades fails when the policy requires signing-certificate-v2', () => {
    const sig = opensslSign(pki.leaves.ec256, 'sha256', []);
    const r = verifyOne(sig, { policy: { ...SKIP, requireSigningCertificateV2: true } });
    expect([r.indication, r.subIndication]).toEqual(['INDETERMINATE', 'NO_SIGNING_CERTIFICATE_FOUND']);
  });
});

describe('our own signatures', () => {
  it('pass, with the chain signer..anchor and the signer summary', () => {
    const r = verifyOne(ourSignature(pki.leaves.rsa, { rsaScheme: 'pss' }));
    expect(r.indication).toBe('TOTAL-PASSED');
    expect(r.warnings).toEqual(['revocation status was NOT checked (skipped by the validation policy)']);
    expect(r.chain.map((c) => c.commonName)).toEqual(['RSA Signer', 'Test Intermediate', 'Test Root']);
    expect(r.signedBy?.commonName).toBe('RSA Signer');
    expect(r.checks.every((c) => c.status === 'passed' || c.id === 'revocation' || (c.id === 'timestamp' && c.status === 'not-checked'))).toBe(true);
    expect(r.timestamp).toBeNull();
  });
});

describe('negative cases', () => {
  it('wrong content digest -> TOTAL-FAILED/HASH_FAILURE', () => {
    const r = verifyOne(ourSignature(pki.leaves.ec256), { digests: allDigests(Buffer.from('tampered')) });
    expect([r.indication, r.subIndication]).toEqual(['TOTAL-FAILED', 'HASH_FAILURE']);
    expect(r.qualification).toBe('none');
    expect(checkStatus(r, 'signature')).toBe('passed');
  });

  for (const [name, pick] of [['rsa', (p: TestPki) => p.leaves.rsa], ['ec256', (p: TestPki) => p.leaves.ec256]] as const) {
    it(`flipped last byte of the signature value (${name}) -> SIG_CRYPTO_FAILURE`, () => {
      const sig = ourSignature(pick(pki));
      const parsed = parseSignedData(sig);
      const value = parsed.ok ? parsed.value.signers[0]?.signature : undefined;
      // The signature OCTET STRING is the last element, so the file's last byte is its last byte.
      expect(value?.at(-1)).toBe(sig.at(-1));
      const bad = Buffer.from(sig);
      bad[bad.length - 1] = (bad[bad.length - 1] ?? 0) ^ 0x01;
      const r = verifyOne(bad);
      expect([r.indication, r.subIndication]).toEqual(['TOTAL-FAILED', 'SIG_CRYPTO_FAILURE']);
      expect(checkStatus(r, 'message-digest')).toBe('passed');
    });
  }

  it('untrusted root -> INDETERMINATE/NO_CERTIFICATE_CHAIN_FOUND', () => {
    const sig = ourSignature(pki.leaves.untrusted, { extraCertificates: [pki.otherRoot.certificate] });
    const r = verifyOne(sig);
    expect([r.indication, r.subIndication]).toEqual(['INDETERMINATE', 'NO_CERTIFICATE_CHAIN_FOUND']);
    expect(r.trustAnchor).toBeNull();
    // ... and it passes once that root is trusted (the negative is about trust, nothing else).
    const trusted = verifyOne(sig, { anchors: [{ certificate: pki.otherRoot.certificate, qualified: false }] });
    expect(trusted.indication).toBe('TOTAL-PASSED');
    expect(trusted.trustAnchor).toBe('CN=Other Root,O=Untrusted,C=RU');
  });

  it('certificate whose signature does not verify with its named issuer -> NO_CERTIFICATE_CHAIN_FOUND', () => {
    const r = verifyOne(ourSignature(pki.leaves.forged));
    expect([r.indication, r.subIndication]).toEqual(['INDETERMINATE', 'NO_CERTIFICATE_CHAIN_FOUND']);
    expect(r.errors.join(' ')).toMatch(/Forged Signer.* does not verify with the key of CN=Test Intermediate/u);
  });

  it('missing intermediate -> NO_CERTIFICATE_CHAIN_FOUND', () => {
    const r = verifyOne(ourSignature(pki.leaves.ec256, { extraCertificates: [] }));
    expect(r.subIndication).toBe('NO_CERTIFICATE_CHAIN_FOUND');
  });

  it('certificate expired at the validation time -> INDETERMINATE/OUT_OF_BOUNDS_NO_POE', () => {
    const sig = ourSignature(pki.leaves.shortLived);
    expect(verifyOne(sig).indication).toBe('TOTAL-PASSED');
    const later = new Date(Date.now() + 3 * 86_400_000);
    const r = verifyOne(sig, { now: later });
    expect([r.indication, r.subIndication]).toEqual(['INDETERMINATE', 'OUT_OF_BOUNDS_NO_POE']);
    expect(r.checks.find((c) => c.id === 'validity')?.message).toMatch(/Short Lived.*expired at/u);
  });

  it('signingTime before the certificate notBefore -> TOTAL-FAILED/NOT_YET_VALID', () => {
    const r = verifyOne(ourSignature(pki.leaves.ec256, { signingTime: new Date(Date.now() - 30 * 86_400_000) }));
    expect([r.indication, r.subIndication]).toEqual(['TOTAL-FAILED', 'NOT_YET_VALID']);
  });

  it('keyUsage keyAgreement only -> INDETERMINATE/CHAIN_CONSTRAINTS_FAILURE', () => {
    const r = verifyOne(ourSignature(pki.leaves.keyAgreementOnly));
    expect([r.indication, r.subIndication]).toEqual(['INDETERMINATE', 'CHAIN_CONSTRAINTS_FAILURE']);
    expect(checkStatus(r, 'key-usage')).toBe('indeterminate');
  });

  it('ESS signing-certificate-v2 naming another certificate -> NO_SIGNING_CERTIFICATE_FOUND', () => {
    const leaf = pki.leaves.rsa;
    const sig = signDetachedWithOverrides(
      {
        contentDigest: digestBytes('sha-256', content),
        digestAlgorithm: 'sha-256',
        privateKey: leaf.privateKey,
        certificate: leaf.certificate,
        extraCertificates: [pki.intermediate.certificate],
        signingTime: new Date(),
      },
      { essCertificate: pki.leaves.rsaOther.certificate },
    );
    const r = verifyOne(sig);
    expect([r.indication, r.subIndication]).toEqual(['INDETERMINATE', 'NO_SIGNING_CERTIFICATE_FOUND']);
    expect(checkStatus(r, 'signature')).toBe('passed');
  });

  it("revocation 'require' -> INDETERMINATE/TRY_LATER", () => {
    const r = verifyOne(ourSignature(pki.leaves.ec256), { policy: DEFAULT_VALIDATION_POLICY });
    expect([r.indication, r.subIndication]).toEqual(['INDETERMINATE', 'TRY_LATER']);
    expect(r.revocation).toEqual({ checked: false, note: 'revocation checking is not available: no CRL or OCSP source configured' });
    expect(checkStatus(r, 'revocation')).toBe('indeterminate');
  });

  it('a more severe outcome beats TRY_LATER', () => {
    const r = verifyOne(ourSignature(pki.leaves.ec256), { policy: DEFAULT_VALIDATION_POLICY, digests: allDigests(Buffer.from('x')) });
    expect(r.subIndication).toBe('HASH_FAILURE');
  });

  const garbage: [string, () => Buffer][] = [
    ['empty', () => Buffer.alloc(0)],
    ['random bytes', () => Buffer.from('this is not DER at all')],
    ['truncated DER', () => ourSignature(pki.leaves.ec256).subarray(0, 200)],
    ['trailing garbage', () => Buffer.concat([ourSignature(pki.leaves.ec256), Buffer.from([0])])],
    ['a certificate instead of a signature', () => pki.leaves.ec256.certificate],
  ];
  for (const [label, make] of garbage) {
    it(`${label} -> one TOTAL-FAILED/FORMAT_FAILURE report, no throw`, () => {
      const r = verifyOne(make());
      expect([r.indication, r.subIndication, r.signedBy]).toEqual(['TOTAL-FAILED', 'FORMAT_FAILURE', null]);
      expect(r.errors.length).toBe(1);
      expect(inspectSignature(make()).ok).toBe(false);
    });
  }

  it('attached (non-detached) CMS -> FORMAT_FAILURE', () => {
    const out = join(pki.dir, 'attached.p7s');
    openssl(['cms', '-sign', '-binary', '-nodetach', '-outform', 'DER', '-in', contentFile, '-signer', pki.leaves.ec384.certPath, '-inkey', pki.leaves.ec384.keyPath, '-cades', '-out', out]);
    const sig = openssl(['cms', '-cmsout', '-inform', 'DER', '-outform', 'DER', '-in', out]);
    const r = verifyOne(sig);
    expect([r.indication, r.subIndication]).toEqual(['TOTAL-FAILED', 'FORMAT_FAILURE']);
    expect(inspectSignature(sig)).toMatchObject({ ok: false, error: { code: 'CMS_UNSUPPORTED' } });
  });

  it('contentType attribute other than id-data -> FORMAT_FAILURE', () => {
    const leaf = pki.leaves.ec256;
    const sig = signDetachedWithOverrides(
      { contentDigest: digestBytes('sha-256', content), digestAlgorithm: 'sha-256', privateKey: leaf.privateKey, certificate: leaf.certificate, extraCertificates: [pki.intermediate.certificate], signingTime: new Date() },
      { contentTypeAttribute: '1.2.840.113549.1.9.16.1.4' },
    );
    const r = verifyOne(sig);
    expect([r.indication, r.subIndication]).toEqual(['TOTAL-FAILED', 'FORMAT_FAILURE']);
    expect(checkStatus(r, 'content-type')).toBe('failed');
    expect(checkStatus(r, 'signature')).toBe('not-checked');
  });

  it('signingTime one hour in the future -> FORMAT_FAILURE; within the skew it passes', () => {
    const now = new Date();
    const future = verifyOne(ourSignature(pki.leaves.ec256, { signingTime: new Date(now.getTime() + 3_600_000) }), { now });
    expect([future.indication, future.subIndication]).toEqual(['TOTAL-FAILED', 'FORMAT_FAILURE']);
    expect(checkStatus(future, 'signing-time')).toBe('failed');
    const skewed = verifyOne(ourSignature(pki.leaves.ec256, { signingTime: new Date(now.getTime() + 60_000) }), { now });
    expect(skewed.indication).toBe('TOTAL-PASSED');
  });

  it('RSA 1024 -> INDETERMINATE/CRYPTO_CONSTRAINTS_FAILURE', () => {
    const r = verifyOne(ourSignature(pki.leaves.rsa1024));
    expect([r.indication, r.subIndication]).toEqual(['INDETERMINATE', 'CRYPTO_CONSTRAINTS_FAILURE']);
    expect(checkStatus(r, 'signature')).toBe('passed');
    expect(verifyOne(ourSignature(pki.leaves.rsa1024), { policy: { ...SKIP, minRsaModulusBits: 1024 } }).indication).toBe('TOTAL-PASSED');
  });

  it('digest not supplied by the caller -> INDETERMINATE/CRYPTO_CONSTRAINTS_FAILURE', () => {
    const r = verifyOne(ourSignature(pki.leaves.ec256, { digestAlgorithm: 'sha-512', contentDigest: digestBytes('sha-512', content) }), {
      digests: { 'sha-256': digestBytes('sha-256', content) },
    });
    expect([r.indication, r.subIndication]).toEqual(['INDETERMINATE', 'CRYPTO_CONSTRAINTS_FAILURE']);
    expect(r.errors[0]).toMatch(/sha-512 digest of the content was not supplied/u);
  });

  it('signer certificate not embedded -> NO_SIGNING_CERTIFICATE_FOUND', () => {
    const sig = openssl(['cms', '-cmsout', '-inform', 'DER', '-outform', 'DER'], opensslSign(pki.leaves.ec256, 'sha256', ['-nocerts', '-cades']));
    const r = verifyOne(sig);
    expect([r.indication, r.subIndication]).toEqual(['INDETERMINATE', 'NO_SIGNING_CERTIFICATE_FOUND']);
    expect(checkStatus(r, 'message-digest')).toBe('passed');
  });
});

describe('qualification', () => {
  it('qualified: qualified anchor + qualified profile + TOTAL-PASSED', () => {
    const sig = ourSignature(pki.leaves.qualified, { extraCertificates: [] });
    const q = [{ certificate: pki.root.certificate, qualified: true }];
    expect(verifyOne(sig, { anchors: q }).qualification).toBe('qualified');
    expect(verifyOne(sig).qualification).toBe('advanced');
    expect(verifyOne(ourSignature(pki.leaves.ec256), { anchors: q }).qualification).toBe('advanced');
    expect(verifyOne(sig, { anchors: q, digests: allDigests(Buffer.from('x')) }).qualification).toBe('none');
    expect(verifyOne(sig, { anchors: q }).signedBy?.ogrn).toBe('1027700132195');
  });
});
