/**
 * GOST R 34.10-2012 / 34.11-2012 in certificates and CMS, judged by an independent implementation:
 * OpenSSL with Debian's GOST engine. For every parameter set the engine supports, OpenSSL makes
 * the CA, the leaf and a CAdES signature, and the gateway verifies it TOTAL-PASSED; the gateway
 * signs with the engine's key and certificate, and `openssl cms -verify -cades -engine gost`
 * accepts it. Then the failures: a wrong ESS hash, a Streebog-256 digest where 512 is declared,
 * and a certificate whose curve parameters do not fit its key.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { signDetachedWithOverrides } from '../src/crypto/cms/sign-detached.ts';
import { parseSignedDataFast, parseSignedDataWithPkijs } from '../src/crypto/cms/parse-signed-data.ts';
import {
  DEFAULT_VALIDATION_POLICY,
  certificateToPem,
  digestBytes,
  generateKeyPair,
  inspectSignature,
  issueCertificate,
  loadPrivateKeyPem,
  loadSigningKeyPem,
  pemToDerList,
  privateKeyToPem,
  signDetached,
  verifyDetached,
  type DigestAlgorithm,
  type SigningKey,
  type ValidationReport,
} from '../src/crypto/index.ts';
import { GOST_PARAM_SETS, type GostParamSetName } from '../src/crypto/gost/index.ts';
import { tool } from './helpers/tools.ts';

const dir = mkdtempSync(join(tmpdir(), 'edx-gost-cms-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function openssl(args: readonly string[]): { status: number | null; stdout: string; stderr: string } {
  return tool('openssl', args);
}

/** Runs openssl and fails the test with its stderr when it does not succeed. */
function mustOpenssl(args: readonly string[]): void {
  const r = openssl(args);
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.stderr}`);
}

function opensslCmsVerify(signature: string, content: string, caFile: string): { status: number | null; stderr: string } {
  return openssl(['cms', '-engine', 'gost', '-verify', '-cades', '-binary', '-inform', 'DER', '-in', signature, '-content', content, '-CAfile', caFile, '-out', '/dev/null']);
}

/** The engine's `-pkeyopt paramset:` names for every set it supports. */
const ENGINE_SETS: ReadonlyArray<readonly [GostParamSetName, 'gost2012_256' | 'gost2012_512', string]> = [
  ['tc26-256-A', 'gost2012_256', 'TCA'],
  ['tc26-256-B', 'gost2012_256', 'TCB'],
  ['tc26-256-C', 'gost2012_256', 'TCC'],
  ['tc26-256-D', 'gost2012_256', 'TCD'],
  ['cryptopro-A', 'gost2012_256', 'A'],
  ['cryptopro-B', 'gost2012_256', 'B'],
  ['cryptopro-C', 'gost2012_256', 'C'],
  ['cryptopro-XchA', 'gost2012_256', 'XA'],
  ['cryptopro-XchB', 'gost2012_256', 'XB'],
  ['tc26-512-A', 'gost2012_512', 'A'],
  ['tc26-512-B', 'gost2012_512', 'B'],
  ['tc26-512-C', 'gost2012_512', 'C'],
];

const LEAF_EXT = [
  'basicConstraints=critical,CA:FALSE',
  'keyUsage=critical,digitalSignature,nonRepudiation',
  'extendedKeyUsage=emailProtection',
  'subjectKeyIdentifier=hash',
  'authorityKeyIdentifier=keyid',
  'certificatePolicies=1.2.643.100.113.1',
].join('\n');

interface EnginePki {
  caPem: string;
  leafPem: string;
  leafKey: string;
  caDer: Buffer;
  leafDer: Buffer;
}

/** A CA and a leaf on one parameter set, both made by `openssl req`/`x509` with the GOST engine. */
function enginePki(name: string, algorithm: string, paramset: string, caName = name): EnginePki {
  const base = join(dir, name);
  const md = algorithm === 'gost2012_256' ? '-md_gost12_256' : '-md_gost12_512';
  writeFileSync(`${base}.leaf.ext`, LEAF_EXT);
  const caKey = `${base}.ca.key`;
  const caPem = `${base}.ca.pem`;
  const leafKey = `${base}.leaf.key`;
  const leafPem = `${base}.leaf.pem`;
  mustOpenssl(['genpkey', '-engine', 'gost', '-algorithm', algorithm, '-pkeyopt', `paramset:${paramset}`, '-out', caKey]);
  mustOpenssl([
    'req', '-engine', 'gost', '-new', '-x509', '-key', caKey, md, '-subj', `/C=RU/O=GOST test CA/CN=GOST CA ${caName}`, '-days', '30',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-out', caPem,
  ]);
  mustOpenssl(['genpkey', '-engine', 'gost', '-algorithm', algorithm, '-pkeyopt', `paramset:${paramset}`, '-out', leafKey]);
  mustOpenssl(['req', '-engine', 'gost', '-new', '-key', leafKey, md, '-subj', `/C=RU/O=ООО Ромашка/CN=Signer ${name}/1.2.643.100.1=1027700132195`, '-utf8', '-out', `${base}.csr`]);
  mustOpenssl(['x509', '-engine', 'gost', '-req', '-in', `${base}.csr`, '-CA', caPem, '-CAkey', caKey, '-set_serial', '0x' + randomBytes(8).toString('hex'), md, '-days', '10', '-extfile', `${base}.leaf.ext`, '-out', leafPem]);
  const [caDer] = pemToDerList(readFileSync(caPem));
  const [leafDer] = pemToDerList(readFileSync(leafPem));
  if (caDer === undefined || leafDer === undefined) throw new Error('openssl wrote no certificate');
  return { caPem, leafPem, leafKey, caDer, leafDer };
}

function verifyOne(signature: Buffer, content: Buffer, anchor: Buffer, now = new Date()): ValidationReport {
  const inspected = inspectSignature(signature);
  if (!inspected.ok) throw new Error(inspected.error.message);
  const contentDigests: Partial<Record<DigestAlgorithm, Buffer>> = {};
  for (const a of inspected.value.digestAlgorithms) contentDigests[a] = digestBytes(a, content);
  const reports = verifyDetached({
    signature,
    contentDigests,
    trustAnchors: [{ certificate: anchor, qualified: true }],
    policy: { ...DEFAULT_VALIDATION_POLICY, revocation: 'skip', requireSigningCertificateV2: true },
    now,
  });
  expect(reports).toHaveLength(1);
  const [report] = reports;
  if (report === undefined) throw new Error('no report');
  return report;
}

function loadKey(path: string): SigningKey {
  const key = loadSigningKeyPem(readFileSync(path));
  if (!key.ok) throw new Error(key.error.message);
  return key.value;
}

describe.each(ENGINE_SETS)('%s: OpenSSL GOST engine PKI and CAdES signatures', (name, algorithm, paramset) => {
  const bits = algorithm === 'gost2012_256' ? 256 : 512;
  const streebog: DigestAlgorithm = bits === 256 ? 'streebog-256' : 'streebog-512';
  const pki = enginePki(name, algorithm, paramset);
  const content = Buffer.concat([Buffer.from('Письмо о поставках\n'), randomBytes(3000)]);
  const contentPath = join(dir, `${name}.content`);
  writeFileSync(contentPath, content);

  it('an `openssl cms -sign -cades -engine gost` signature verifies TOTAL-PASSED, on the fast DER path too', () => {
    const sigPath = join(dir, `${name}.openssl.p7s`);
    mustOpenssl(['cms', '-engine', 'gost', '-sign', '-binary', '-outform', 'DER', '-cades', '-md', `md_gost12_${bits}`, '-in', contentPath, '-signer', pki.leafPem, '-inkey', pki.leafKey, '-out', sigPath]);
    const sig = readFileSync(sigPath);
    const report = verifyOne(sig, content, pki.caDer);
    expect(report.errors).toEqual([]);
    expect(report.indication).toBe('TOTAL-PASSED');
    expect(report.qualification).toBe('qualified');
    expect(report.digestAlgorithm).toBe(streebog);
    expect(report.signatureAlgorithm).toBe(`gost2012-streebog${bits}`);
    expect(report.signedBy?.publicKey).toBe(`gost2012-${bits}`);
    expect(report.signedBy?.ogrn).toBe('1027700132195');
    expect(report.chain.map((c) => c.publicKey)).toEqual([`gost2012-${bits}`, `gost2012-${bits}`]);
    // The offset-based reader takes OpenSSL's layout and agrees with pkijs.
    const fast = parseSignedDataFast(sig);
    const slow = parseSignedDataWithPkijs(sig);
    expect(fast?.ok).toBe(true);
    if (fast?.ok !== true || !slow.ok) throw new Error('parse failed');
    expect(fast.value.signers[0]?.signature).toEqual(slow.value.signers[0]?.signature);
    expect(fast.value.signers[0]?.signedAttrsDer).toEqual(slow.value.signers[0]?.signedAttrsDer);
    // Other content: HASH_FAILURE.
    expect(verifyOne(sig, Buffer.from('other bytes'), pki.caDer).subIndication).toBe('HASH_FAILURE');
  });

  it('our signature with the engine key and certificate verifies with `openssl cms -verify -cades -engine gost`, and in our verifier', () => {
    const key = loadKey(pki.leafKey);
    const sig = signDetached({
      contentDigest: digestBytes(streebog, content),
      digestAlgorithm: streebog,
      privateKey: key,
      certificate: pki.leafDer,
      signingTime: new Date(),
    });
    const sigPath = join(dir, `${name}.ours.p7s`);
    writeFileSync(sigPath, sig);
    const r = opensslCmsVerify(sigPath, contentPath, pki.caPem);
    expect(r.stderr).toContain('Verification successful');
    expect(r.status).toBe(0);
    expect(verifyOne(sig, content, pki.caDer).indication).toBe('TOTAL-PASSED');
    // The oracle can fail: other content is refused by OpenSSL as well.
    const otherPath = join(dir, `${name}.other`);
    writeFileSync(otherPath, 'other bytes');
    expect(opensslCmsVerify(sigPath, otherPath, pki.caPem).status).not.toBe(0);
  });

  it('a GOST key signs only Streebog of its own size', () => {
    const key = loadKey(pki.leafKey);
    for (const wrong of ['sha-256', bits === 256 ? 'streebog-512' : 'streebog-256'] as const) {
      expect(() =>
        signDetached({ contentDigest: digestBytes(wrong, content), digestAlgorithm: wrong, privateKey: key, certificate: pki.leafDer, signingTime: new Date() }),
      ).toThrow(/cannot sign/u);
    }
  });
});

describe('GOST failures are clear', () => {
  const pki = enginePki('neg-256', 'gost2012_256', 'A');
  const pki512 = enginePki('neg-512', 'gost2012_512', 'A');
  const content = Buffer.from('the signed letter');
  const contentPath = join(dir, 'neg.content');
  writeFileSync(contentPath, content);

  it('a signing-certificate-v2 that hashes another certificate: NO_SIGNING_CERTIFICATE_FOUND here, refused by OpenSSL -cades', () => {
    const sig = signDetachedWithOverrides(
      { contentDigest: digestBytes('streebog-256', content), digestAlgorithm: 'streebog-256', privateKey: loadKey(pki.leafKey), certificate: pki.leafDer, signingTime: new Date() },
      { essCertificate: pki.caDer },
    );
    const report = verifyOne(sig, content, pki.caDer);
    expect(report.indication).toBe('INDETERMINATE');
    expect(report.subIndication).toBe('NO_SIGNING_CERTIFICATE_FOUND');
    expect(report.checks.find((c) => c.id === 'signing-certificate')?.message).toContain('streebog-256 hash in the signing-certificate attribute does not match');
    const sigPath = join(dir, 'wrong-ess.p7s');
    writeFileSync(sigPath, sig);
    expect(opensslCmsVerify(sigPath, contentPath, pki.caPem).status).not.toBe(0);
  });

  it('an OpenSSL signature whose ESS hash was changed is caught (HASH of the certificate, not of the content)', () => {
    const sigPath = join(dir, 'ess-flip.openssl.p7s');
    mustOpenssl(['cms', '-engine', 'gost', '-sign', '-binary', '-outform', 'DER', '-cades', '-md', 'md_gost12_256', '-in', contentPath, '-signer', pki.leafPem, '-inkey', pki.leafKey, '-out', sigPath]);
    const sig = readFileSync(sigPath);
    const certHash = digestBytes('streebog-256', pki.leafDer);
    const at = sig.indexOf(certHash);
    expect(at).toBeGreaterThan(0);
    const tampered = Buffer.from(sig);
    tampered[at] = (tampered[at] ?? 0) ^ 0x01;
    const report = verifyOne(tampered, content, pki.caDer);
    expect(report.indication).not.toBe('TOTAL-PASSED');
    expect(report.checks.find((c) => c.id === 'signing-certificate')?.status).toBe('indeterminate');
  });

  it('a Streebog-256 digest declared where the 512-bit key needs Streebog-512', () => {
    const key = loadKey(pki512.leafKey);
    const sig = signDetached({ contentDigest: digestBytes('streebog-512', content), digestAlgorithm: 'streebog-512', privateKey: key, certificate: pki512.leafDer, signingTime: new Date() });
    expect(verifyOne(sig, content, pki512.caDer).indication).toBe('TOTAL-PASSED'); // control
    // Relabel digestAlgorithm (in the SET and in the SignerInfo) as id-tc26-gost3411-12-256.
    const oid512 = Buffer.from('06082a850307010102030500', 'hex');
    const oid256 = Buffer.from('06082a850307010102020500', 'hex');
    const relabelled = Buffer.from(sig);
    let count = 0;
    for (let at = relabelled.indexOf(oid512); at >= 0; at = relabelled.indexOf(oid512, at + 1)) {
      oid256.copy(relabelled, at);
      count += 1;
    }
    expect(count).toBe(2);
    const report = verifyOne(relabelled, content, pki512.caDer);
    expect(report.indication).toBe('TOTAL-FAILED');
    expect(report.digestAlgorithm).toBe('streebog-256');
    expect(report.checks.find((c) => c.id === 'algorithms')?.message).toContain('512-bit signature algorithm 1.2.643.7.1.1.1.2 needs streebog-512, but the digest algorithm is streebog-256');
    expect(report.checks.find((c) => c.id === 'message-digest')?.status).toBe('failed');
  });

  it('a certificate whose curve parameters do not fit its key: SIG_CRYPTO_FAILURE naming the reason', () => {
    const root = generateKeyPair('gost2012-256');
    const rootCert = issueCertificate({
      subject: { commonName: 'GOST root', country: 'RU' },
      subjectPublicKey: root.publicKey,
      issuer: 'self',
      selfPrivateKey: root.privateKey,
      notBefore: new Date(Date.now() - 86_400_000),
      notAfter: new Date(Date.now() + 86_400_000),
      ca: true,
    });
    const leaf = generateKeyPair('gost2012-256');
    // The CryptoPro-A point labelled as TC26 256-A: another curve, on which the point does not lie.
    const mislabelled = { ...leaf.publicKey, paramSet: GOST_PARAM_SETS['tc26-256-A'] };
    const leafCert = issueCertificate({
      subject: { commonName: 'Mislabelled key', country: 'RU' },
      subjectPublicKey: mislabelled,
      issuer: { certificate: rootCert, privateKey: root.privateKey },
      notBefore: new Date(Date.now() - 86_400_000),
      notAfter: new Date(Date.now() + 86_400_000),
    });
    const sig = signDetached({ contentDigest: digestBytes('streebog-256', content), digestAlgorithm: 'streebog-256', privateKey: leaf.privateKey, certificate: leafCert, signingTime: new Date() });
    const report = verifyOne(sig, content, rootCert);
    expect(report.indication).toBe('TOTAL-FAILED');
    expect(report.subIndication).toBe('SIG_CRYPTO_FAILURE');
    expect(report.checks.find((c) => c.id === 'signature')?.message).toContain('not on the curve');
    expect(report.signedBy?.publicKey).toBe('gost2012-256');
  });

  it('a GOST certificate whose signature does not verify with its issuer key breaks the chain', () => {
    // One bit of the leaf's signatureValue flipped; the CMS is made over that certificate, so
    // only the certificate signature is wrong (ESS and the CMS signature are consistent).
    const forged = Buffer.from(pki.leafDer);
    forged[forged.length - 1] = (forged[forged.length - 1] ?? 0) ^ 0x01;
    const make = (certificate: Buffer): Buffer =>
      signDetached({ contentDigest: digestBytes('streebog-256', content), digestAlgorithm: 'streebog-256', privateKey: loadKey(pki.leafKey), certificate, signingTime: new Date() });
    expect(verifyOne(make(pki.leafDer), content, pki.caDer).indication).toBe('TOTAL-PASSED'); // control
    const report = verifyOne(make(forged), content, pki.caDer);
    expect(report.subIndication).toBe('NO_CERTIFICATE_CHAIN_FOUND');
    expect(report.checks.find((c) => c.id === 'chain')?.message).toContain('does not verify with the key of');
    // And a CA of the same name with another key is no issuer either.
    const impostor = enginePki('impostor-256', 'gost2012_256', 'A', 'neg-256');
    expect(verifyOne(make(pki.leafDer), content, impostor.caDer).subIndication).toBe('NO_CERTIFICATE_CHAIN_FOUND');
  });
});

describe('GOST keys', () => {
  it('engine PKCS#8 keys load as GOST signing keys; loadPrivateKeyPem (node KeyObjects only) says where to go', () => {
    const path = join(dir, 'k.pem');
    mustOpenssl(['genpkey', '-engine', 'gost', '-algorithm', 'gost2012_256', '-pkeyopt', 'paramset:A', '-out', path]);
    const pem = readFileSync(path);
    const key = loadSigningKeyPem(pem);
    expect(key.ok && key.value.type === 'gost' ? key.value.privateKey.paramSet.name : null).toBe('cryptopro-A');
    const node = loadPrivateKeyPem(pem);
    expect(node.ok ? null : node.error.code).toBe('KEY_UNSUPPORTED');
    // Our PEM of it is the engine's, byte for byte.
    if (!key.ok) throw new Error('unreachable');
    expect(privateKeyToPem(key.value)).toBe(pem.toString('latin1'));
  });

  it('keys we generate are read by the engine, and certificates we issue with them pass `openssl verify -engine gost`', () => {
    for (const algorithm of ['gost2012-256', 'gost2012-512'] as const) {
      const pair = generateKeyPair(algorithm);
      const keyPath = join(dir, `${algorithm}.key.pem`);
      writeFileSync(keyPath, privateKeyToPem(pair.privateKey));
      const text = openssl(['pkey', '-engine', 'gost', '-in', keyPath, '-noout', '-text']);
      expect(text.status).toBe(0);
      const cert = issueCertificate({
        subject: { commonName: algorithm, country: 'RU' },
        subjectPublicKey: pair.publicKey,
        issuer: 'self',
        selfPrivateKey: pair.privateKey,
        notBefore: new Date(Date.now() - 86_400_000),
        notAfter: new Date(Date.now() + 86_400_000),
        ca: true,
      });
      const certPath = join(dir, `${algorithm}.cert.pem`);
      writeFileSync(certPath, certificateToPem(cert));
      const v = openssl(['verify', '-engine', 'gost', '-CAfile', certPath, certPath]);
      expect(v.stdout).toContain(': OK');
      // The oracle can fail: one flipped signature bit is refused.
      const bad = Buffer.from(cert);
      bad[bad.length - 1] = (bad[bad.length - 1] ?? 0) ^ 0x01;
      const badPath = join(dir, `${algorithm}.bad.pem`);
      writeFileSync(badPath, certificateToPem(bad));
      expect(openssl(['verify', '-engine', 'gost', '-CAfile', certPath, badPath]).status).not.toBe(0);
    }
  });
});
