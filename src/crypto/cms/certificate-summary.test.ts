/** describeCertificate against `openssl x509` output for the same certificates. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeCertificate, parseCertificateSummary } from './certificate-summary.ts';
import { escapeRfc4514 } from './distinguished-name.ts';
import { createTestPki, openssl, type TestPki } from './test-pki.ts';

let pki: TestPki;
beforeAll(() => {
  pki = createTestPki();
});
afterAll(() => pki.cleanup());

function opensslField(certPath: string, ...flags: string[]): string {
  return openssl(['x509', '-in', certPath, '-noout', ...flags, '-nameopt', 'RFC2253,-esc_msb']).toString().trim();
}

describe('describeCertificate', () => {
  it('prints names, serial and fingerprint as openssl does (-nameopt RFC2253)', () => {
    for (const id of [pki.root, pki.intermediate, pki.leaves.rsa, pki.leaves.qualified]) {
      const s = describeCertificate(id.certificate);
      // The brief asks for T= where OpenSSL prints title=.
      expect(s.subject).toBe(opensslField(id.certPath, '-subject').replace(/^subject=/u, '').replace('title=', 'T='));
      expect(s.issuer).toBe(opensslField(id.certPath, '-issuer').replace(/^issuer=/u, ''));
      expect(s.serialNumber).toBe(opensslField(id.certPath, '-serial').replace(/^serial=/u, '').toLowerCase().replace(/^(00)+(?=..)/u, ''));
      expect(s.fingerprintSha256).toBe(opensslField(id.certPath, '-fingerprint', '-sha256').replace(/^.*=/u, '').replaceAll(':', '').toLowerCase());
      const end = new Date(opensslField(id.certPath, '-enddate').replace(/^notAfter=/u, ''));
      expect(s.notAfter).toBe(end.toISOString());
    }
  });

  it('reads the Russian qualified profile identifiers and extensions', () => {
    const s = describeCertificate(pki.leaves.qualified.certificate);
    expect(s).toMatchObject({
      commonName: 'Иванов Иван Иванович',
      organization: 'ООО "Ромашка"',
      title: 'Генеральный директор',
      surname: 'Иванов',
      givenName: 'Иван Иванович',
      ogrn: '1027700132195',
      snils: '11223344595',
      inn: '500100732259',
      keyUsage: ['digitalSignature', 'nonRepudiation'],
      extendedKeyUsage: ['emailProtection', 'clientAuth'],
      isCA: false,
      policies: ['1.2.643.100.113.1', '1.2.643.100.113.2'],
      publicKey: 'ecdsa-p256',
      qualifiedProfile: true,
    });
    expect(s.subject).toContain('O=ООО \\"Ромашка\\"');
  });

  it('names key types and CA flags', () => {
    expect(describeCertificate(pki.leaves.rsa.certificate)).toMatchObject({ publicKey: 'rsa-2048', qualifiedProfile: false, isCA: false });
    expect(describeCertificate(pki.leaves.ec384.certificate).publicKey).toBe('ecdsa-p384');
    expect(describeCertificate(pki.root.certificate)).toMatchObject({ isCA: true, keyUsage: ['keyCertSign', 'cRLSign'] });
    expect(describeCertificate(pki.leaves.keyAgreementOnly.certificate).keyUsage).toEqual(['keyAgreement']);
  });

  it('throws only on non-certificates; parseCertificateSummary returns an error value', () => {
    expect(() => describeCertificate(Buffer.from('nope'))).toThrow();
    expect(parseCertificateSummary(Buffer.alloc(0))).toMatchObject({ ok: false, error: { code: 'CERTIFICATE_MALFORMED' } });
  });

  it('escapes per RFC 4514', () => {
    expect(escapeRfc4514('a,b+c;d<e>f"g\\h')).toBe('a\\,b\\+c\\;d\\<e\\>f\\"g\\\\h');
    expect(escapeRfc4514('#lead')).toBe('\\#lead');
    expect(escapeRfc4514(' x ')).toBe('\\ x\\ ');
  });
});
