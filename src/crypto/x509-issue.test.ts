import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateKeyPair, KEY_ALGORITHMS } from './keys.ts';
import { certificateToPem } from './pem.ts';
import { issueCertificate } from './x509-issue.ts';

const dir = mkdtempSync(join(tmpdir(), 'edx-x509-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function openssl(args: string[], input?: Buffer): { status: number | null; stdout: Buffer; stderr: string } {
  const r = spawnSync('openssl', args, { ...(input === undefined ? {} : { input }) });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr.toString() };
}

describe.each(KEY_ALGORITHMS)('issueCertificate with %s keys', (algorithm) => {
  const rootKeys = generateKeyPair(algorithm);
  const root = issueCertificate({
    subject: { commonName: 'Test root', organization: 'Тест', country: 'RU' },
    subjectPublicKey: rootKeys.publicKey,
    issuer: 'self',
    selfPrivateKey: rootKeys.privateKey,
    notBefore: new Date('2026-01-01T00:00:00Z'),
    notAfter: new Date('2051-01-01T00:00:00Z'), // GeneralizedTime from 2050
    ca: true,
    pathLength: 0,
    qualifiedProfile: true,
  });
  const leafKeys = generateKeyPair(algorithm);
  const leaf = issueCertificate({
    subject: { country: 'RU', organization: 'ООО «Ромашка»', title: 'Директор', commonName: 'Иванов Иван', surname: 'Иванов', givenName: 'Иван Иванович', ogrn: '1027700132195', snils: '11223344595', innle: '7707083893', email: 'a@example.org' },
    subjectPublicKey: leafKeys.publicKey,
    issuer: { certificate: root, privateKey: rootKeys.privateKey },
    notBefore: new Date('2026-01-01T00:00:00Z'),
    notAfter: new Date('2027-01-01T00:00:00Z'),
    extendedKeyUsage: ['emailProtection', 'clientAuth'],
    qualifiedProfile: true,
  });

  it('is canonical DER: OpenSSL re-encodes it byte for byte', () => {
    for (const der of [root, leaf]) {
      const r = openssl(['x509', '-inform', 'DER', '-outform', 'DER'], der);
      expect(r.stderr).toBe('');
      expect(r.stdout.equals(der)).toBe(true);
    }
  });

  it('chains for S/MIME signing under OpenSSL, with the Russian profile visible', () => {
    // OpenSSL verifies GOST R 34.10-2012 signatures only through its GOST engine.
    const engine = algorithm.startsWith('gost') ? ['-engine', 'gost'] : [];
    const rootPem = join(dir, `${algorithm}-root.pem`);
    const leafPem = join(dir, `${algorithm}-leaf.pem`);
    writeFileSync(rootPem, certificateToPem(root));
    writeFileSync(leafPem, certificateToPem(leaf));
    const v = openssl(['verify', ...engine, '-purpose', 'smimesign', '-CAfile', rootPem, leafPem]);
    expect(v.stdout.toString()).toContain(': OK');
    const text = openssl(['x509', ...engine, '-in', leafPem, '-noout', '-text', '-nameopt', 'utf8,sep_comma_plus']).stdout.toString();
    expect(text).toContain('OGRN=1027700132195');
    expect(text).toContain('SNILS=11223344595');
    expect(text).toContain('Digital Signature, Non Repudiation');
    expect(text).toContain('Class of Signing Tool KC1');
    expect(text).toContain('E-mail Protection, TLS Web Client Authentication');
    if (algorithm === 'gost2012-256') {
      expect(text).toContain('GOST R 34.10-2012 with GOST R 34.11-2012 (256 bit)');
      expect(text).toContain('Parameter set: id-GostR3410-2001-CryptoPro-A-ParamSet');
    }
    if (algorithm === 'gost2012-512') expect(text).toContain('GOST R 34.10-2012 with GOST R 34.11-2012 (512 bit)');
    const rootText = openssl(['x509', ...engine, '-in', rootPem, '-noout', '-text']).stdout.toString();
    expect(rootText).toContain('Not After : Jan  1 00:00:00 2051 GMT');
    expect(rootText).toContain('CA:TRUE, pathlen:0');
  });
});
