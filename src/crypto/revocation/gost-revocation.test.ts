/**
 * Revocation evidence signed with GOST R 34.10-2012 (RFC 9215): CRLs issued by a GOST CA, GOST
 * certificates read for revocation, and CMS-style signatures under the bare key OID with a Streebog
 * digestAlgorithm (as OpenSSL writes them). OpenSSL's GOST engine is the independent oracle.
 */
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GOST_OIDS, gostSign, streebog } from '../gost/index.ts';
import { generateKeyPair } from '../keys.ts';
import { certificateToPem, derToPem } from '../pem.ts';
import { issueCrl } from '../x509-crl-issue.ts';
import { issueCertificate } from '../x509-issue.ts';
import { isIssuedBy, readCertificate } from './certificate-facts.ts';
import { checkCrl } from './crl.ts';
import { signatureProblem } from './signature-check.ts';

const dir = mkdtempSync(join(tmpdir(), 'edx-gost-revocation-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function openssl(args: string[]): { status: number | null; out: string } {
  const r = spawnSync('openssl', args);
  return { status: r.status, out: `${r.stdout.toString()}${r.stderr.toString()}` };
}

describe.each(['gost2012-256', 'gost2012-512'] as const)('GOST CRLs issued with %s keys', (algorithm) => {
  const now = new Date('2026-11-25T09:00:00Z');
  const validity = { notBefore: new Date('2026-01-01T00:00:00Z'), notAfter: new Date('2030-01-01T00:00:00Z') };
  const makeRoot = () => {
    const keys = generateKeyPair(algorithm);
    const certificate = issueCertificate({ subject: { commonName: 'GOST CRL test root', country: 'RU' }, subjectPublicKey: keys.publicKey, issuer: 'self', selfPrivateKey: keys.privateKey, ca: true, ...validity });
    return { certificate, privateKey: keys.privateKey };
  };
  const root = makeRoot();
  // Same name, different key: a CRL or certificate signed by it must not pass as the root's.
  const impostor = makeRoot();
  const leaf = (serial: string) =>
    issueCertificate({ subject: { commonName: `leaf ${serial}` }, subjectPublicKey: generateKeyPair(algorithm).publicKey, issuer: root, serialNumber: Buffer.from(serial, 'hex'), ...validity });
  const revoked = leaf('4b01');
  const good = leaf('4b02');
  const crlOf = (issuer: typeof root) =>
    issueCrl({ issuer, revoked: [{ serial: '4b01', at: new Date('2026-11-20T12:00:00Z'), reason: 'keyCompromise' }], thisUpdate: now, nextUpdate: new Date(now.getTime() + 7 * 86_400_000), crlNumber: 3 });
  const crl = crlOf(root);
  const paths = { root: join(dir, `${algorithm}-root.pem`), crl: join(dir, `${algorithm}-crl.pem`), revoked: join(dir, `${algorithm}-revoked.pem`), good: join(dir, `${algorithm}-good.pem`) };
  writeFileSync(paths.root, certificateToPem(root.certificate));
  writeFileSync(paths.crl, derToPem(crl, 'X509 CRL'));
  writeFileSync(paths.revoked, certificateToPem(revoked));
  writeFileSync(paths.good, certificateToPem(good));

  it('reads GOST certificates with their GOST key, and checks who issued them', () => {
    const facts = readCertificate(good);
    const rootFacts = readCertificate(root.certificate);
    const impostorFacts = readCertificate(impostor.certificate);
    if (facts === null || rootFacts === null || impostorFacts === null) throw new Error('GOST certificate unreadable');
    expect(facts.publicKey.kind).toBe('gost');
    expect(facts.signatureAlgorithm).toBe(algorithm === 'gost2012-256' ? GOST_OIDS.signature256 : GOST_OIDS.signature512);
    expect(isIssuedBy(facts, rootFacts)).toBe(true);
    expect(isIssuedBy(facts, impostorFacts)).toBe(false);
    expect(isIssuedBy(rootFacts, rootFacts)).toBe(true);
  });

  it('checkCrl: good and revoked, as openssl verify -engine gost -crl_check says', () => {
    const engine = (cert: string) => openssl(['verify', '-engine', 'gost', '-crl_check', '-CAfile', paths.root, '-CRLfile', paths.crl, '-attime', String(now.getTime() / 1000), cert]);
    expect(engine(paths.revoked).out).toMatch(/certificate revoked/u);
    expect(engine(paths.good).status).toBe(0);

    const r = checkCrl({ crlDer: crl, certificate: revoked, issuer: root.certificate, now });
    expect(r.problems).toEqual([]);
    expect(r.status).toBe('revoked');
    expect(r.reason).toBe('keyCompromise');
    const g = checkCrl({ crlDer: crl, certificate: good, issuer: root.certificate, now });
    expect(g.problems).toEqual([]);
    expect(g.status).toBe('good');
  });

  it('checkCrl refuses a GOST CRL with a damaged signature or signed by another key', () => {
    const damaged = Buffer.from(crl);
    const last = damaged.length - 1;
    damaged[last] = (damaged[last] ?? 0) ^ 0x01;
    const d = checkCrl({ crlDer: damaged, certificate: good, issuer: root.certificate, now });
    expect(d.status).toBe('unknown');
    expect(d.problems.join('; ')).toMatch(/CRL signature: the signature does not verify/u);
    const other = checkCrl({ crlDer: crlOf(impostor), certificate: revoked, issuer: root.certificate, now });
    expect(other.status).toBe('unknown');
    expect(other.problems.join('; ')).toMatch(/CRL signature/u);
  });
});

describe('signatureProblem with GOST keys', () => {
  const pair256 = generateKeyPair('gost2012-256');
  const pair512 = generateKeyPair('gost2012-512');
  const data = Buffer.from('signed attributes stand-in');
  const sign = (pair: typeof pair256, bits: 256 | 512): Buffer => {
    const s = gostSign({ digest: streebog(bits, data), privateKey: pair.privateKey.privateKey });
    if (!s.ok) throw new Error(s.error.message);
    return s.value;
  };
  const sig256 = sign(pair256, 256);
  const sig512 = sign(pair512, 512);
  const key256 = { kind: 'gost', key: pair256.publicKey } as const;
  const key512 = { kind: 'gost', key: pair512.publicKey } as const;

  it('accepts the X.509 signature OIDs and, in CMS, the bare key OIDs with the Streebog digest of the key size', () => {
    expect(signatureProblem({ algorithm: GOST_OIDS.signature256, data, signature: sig256, publicKey: key256 })).toBeNull();
    expect(signatureProblem({ algorithm: GOST_OIDS.signature512, data, signature: sig512, publicKey: key512 })).toBeNull();
    expect(signatureProblem({ algorithm: GOST_OIDS.publicKey256, digestAlgorithm: GOST_OIDS.digest256, data, signature: sig256, publicKey: key256 })).toBeNull();
    expect(signatureProblem({ algorithm: GOST_OIDS.publicKey512, digestAlgorithm: GOST_OIDS.digest512, data, signature: sig512, publicKey: key512 })).toBeNull();
  });

  it('refuses mismatched sizes, missing digests, wrong keys and altered data', () => {
    expect(signatureProblem({ algorithm: GOST_OIDS.publicKey256, data, signature: sig256, publicKey: key256 })).toMatch(/needs a Streebog digest/u);
    expect(signatureProblem({ algorithm: GOST_OIDS.publicKey256, digestAlgorithm: GOST_OIDS.digest512, data, signature: sig256, publicKey: key256 })).toMatch(/Streebog-512/u);
    expect(signatureProblem({ algorithm: GOST_OIDS.signature512, data, signature: sig256, publicKey: key256 })).toMatch(/signer key is 256-bit/u);
    const ec = { kind: 'node', key: generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey } as const;
    expect(signatureProblem({ algorithm: GOST_OIDS.signature256, data, signature: sig256, publicKey: ec })).toMatch(/does not fit a ec key/u);
    expect(signatureProblem({ algorithm: '1.2.840.10045.4.3.2', data, signature: sig256, publicKey: key256 })).toMatch(/does not fit a gost2012-256 key/u);
    expect(signatureProblem({ algorithm: GOST_OIDS.signature256, data: Buffer.from('other data'), signature: sig256, publicKey: key256 })).toBe('the signature does not verify with the signer key');
  });
});
