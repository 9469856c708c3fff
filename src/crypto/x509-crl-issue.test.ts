import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateKeyPair } from './keys.ts';
import { certificateToPem, derToPem } from './pem.ts';
import { checkCrl } from './revocation/index.ts';
import { issueCrl } from './x509-crl-issue.ts';
import { issueCertificate } from './x509-issue.ts';

const dir = mkdtempSync(join(tmpdir(), 'edx-crl-issue-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function openssl(args: string[]): { status: number | null; out: string } {
  const r = spawnSync('openssl', args);
  return { status: r.status, out: `${r.stdout.toString()}${r.stderr.toString()}` };
}

describe.each(['ecdsa-p256', 'rsa-2048'] as const)('issueCrl and the revocation extensions with %s keys, checked by openssl', (algorithm) => {
  const now = new Date('2026-11-25T09:00:00Z');
  const rootKeys = generateKeyPair(algorithm);
  const root = issueCertificate({
    subject: { commonName: 'CRL test root', country: 'RU' },
    subjectPublicKey: rootKeys.publicKey,
    issuer: 'self',
    selfPrivateKey: rootKeys.privateKey,
    notBefore: new Date('2026-01-01T00:00:00Z'),
    notAfter: new Date('2036-01-01T00:00:00Z'),
    ca: true,
  });
  const issuer = { certificate: root, privateKey: rootKeys.privateKey };
  const leaf = (serial: string, extra: Partial<Parameters<typeof issueCertificate>[0]> = {}) =>
    issueCertificate({
      subject: { commonName: `leaf ${serial}` },
      subjectPublicKey: generateKeyPair(algorithm).publicKey,
      issuer,
      notBefore: new Date('2026-01-01T00:00:00Z'),
      notAfter: new Date('2027-01-01T00:00:00Z'),
      serialNumber: Buffer.from(serial, 'hex'),
      ...extra,
    });
  const revoked = leaf('4b01', { crlDistributionPoints: ['http://crl.example/root.crl'], ocspUrls: ['http://ocsp.example/'] });
  const good = leaf('4b02');
  const tsa = leaf('4b03', { extendedKeyUsage: ['timeStamping'], extendedKeyUsageCritical: true });
  const revokedAt = new Date('2026-11-20T12:00:00Z');
  const crl = issueCrl({ issuer, revoked: [{ serial: '4b01', at: revokedAt, reason: 'keyCompromise' }], thisUpdate: now, nextUpdate: new Date(now.getTime() + 7 * 86_400_000), crlNumber: 7 });
  const paths = {
    root: join(dir, `${algorithm}-root.pem`),
    crl: join(dir, `${algorithm}-crl.pem`),
    revoked: join(dir, `${algorithm}-revoked.pem`),
    good: join(dir, `${algorithm}-good.pem`),
    tsa: join(dir, `${algorithm}-tsa.pem`),
  };
  writeFileSync(paths.root, certificateToPem(root));
  writeFileSync(paths.crl, derToPem(crl, 'X509 CRL'));
  writeFileSync(paths.revoked, certificateToPem(revoked));
  writeFileSync(paths.good, certificateToPem(good));
  writeFileSync(paths.tsa, certificateToPem(tsa));

  it('openssl crl -verify accepts the signature and reads the entry, reason and CRL number', () => {
    const r = openssl(['crl', '-in', paths.crl, '-CAfile', paths.root, '-noout', '-text', '-verify']);
    expect(r.status).toBe(0);
    expect(r.out).toContain('verify OK');
    expect(r.out).toMatch(/Serial Number: 4B01/u);
    expect(r.out).toContain('Key Compromise');
    expect(r.out).toMatch(/X509v3 CRL Number:\s+7/u);
    expect(r.out).toContain('Nov 20 12:00:00 2026 GMT');
  });

  it('openssl verify -crl_check: the listed certificate is revoked, the other is fine', () => {
    const run = (cert: string) => openssl(['verify', '-crl_check', '-CAfile', paths.root, '-CRLfile', paths.crl, '-attime', String(now.getTime() / 1000), cert]);
    expect(run(paths.revoked).out).toMatch(/certificate revoked/u);
    expect(run(paths.good).status).toBe(0);
  });

  it('checkCrl agrees; a CRL signed by another key is refused', () => {
    const r = checkCrl({ crlDer: crl, certificate: revoked, issuer: root, now });
    expect(r.status).toBe('revoked');
    expect(r.revokedAt?.toISOString()).toBe(revokedAt.toISOString());
    expect(r.reason).toBe('keyCompromise');
    expect(checkCrl({ crlDer: crl, certificate: good, issuer: root, now }).status).toBe('good');
    const otherKey = generateKeyPair(algorithm).privateKey;
    const forged = issueCrl({ issuer: { certificate: root, privateKey: otherKey }, revoked: [], thisUpdate: now, nextUpdate: new Date(now.getTime() + 86_400_000) });
    expect(checkCrl({ crlDer: forged, certificate: good, issuer: root, now }).status).toBe('unknown');
  });

  it('CRL distribution point, OCSP URL and a critical timeStamping EKU as openssl prints them', () => {
    const text = openssl(['x509', '-in', paths.revoked, '-noout', '-text']).out;
    expect(text).toMatch(/X509v3 CRL Distribution Points:\s+Full Name:\s+URI:http:\/\/crl\.example\/root\.crl/u);
    expect(text).toMatch(/OCSP - URI:http:\/\/ocsp\.example\//u);
    const tsaText = openssl(['x509', '-in', paths.tsa, '-noout', '-text']).out;
    expect(tsaText).toMatch(/X509v3 Extended Key Usage: critical\s+Time Stamping/u);
    expect(openssl(['x509', '-in', paths.tsa, '-noout', '-purpose']).out).toMatch(/Time Stamp signing : Yes/u);
  });
});
