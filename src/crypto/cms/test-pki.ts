/**
 * Test-only helper: a small PKI made with the openssl CLI, so that certificates come from an
 * independent implementation. Not exported from index.ts.
 */
import { execFileSync } from 'node:child_process';
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pemToDerList } from '../pem.ts';

export interface TestIdentity {
  name: string;
  certPath: string;
  keyPath: string;
  /** DER. */
  certificate: Buffer;
  privateKey: KeyObject;
}

export interface TestPki {
  dir: string;
  root: TestIdentity;
  intermediate: TestIdentity;
  /** PEM file with root only (for `-CAfile`). */
  rootFile: string;
  otherRoot: TestIdentity;
  leaves: {
    rsa: TestIdentity;
    ec256: TestIdentity;
    ec384: TestIdentity;
    keyAgreementOnly: TestIdentity;
    /** Valid for one day only; validate with a `now` days later. */
    shortLived: TestIdentity;
    untrusted: TestIdentity;
    rsa1024: TestIdentity;
    qualified: TestIdentity;
    /** Same issuer as `rsa`, different key: used to forge an ESS binding. */
    rsaOther: TestIdentity;
    /** Names the real intermediate as issuer (no AKI) but is signed by an impostor CA key. */
    forged: TestIdentity;
  };
  cleanup(): void;
}

export function openssl(args: readonly string[], input?: Buffer): Buffer {
  return execFileSync('openssl', args, { stdio: ['pipe', 'pipe', 'pipe'], ...(input ? { input } : {}) });
}

const CA_EXT = [
  'basicConstraints=critical,CA:TRUE',
  'keyUsage=critical,keyCertSign,cRLSign',
  'subjectKeyIdentifier=hash',
  'authorityKeyIdentifier=keyid:always',
].join('\n');

const LEAF_EXT = [
  'basicConstraints=critical,CA:FALSE',
  'keyUsage=critical,digitalSignature,nonRepudiation',
  'extendedKeyUsage=emailProtection,clientAuth',
  'subjectKeyIdentifier=hash',
  'authorityKeyIdentifier=keyid:always',
].join('\n');

type KeySpec = 'rsa2048' | 'rsa1024' | 'p256' | 'p384';

function genKey(dir: string, name: string, spec: KeySpec): string {
  const path = join(dir, `${name}.key`);
  const opts: Record<KeySpec, string[]> = {
    rsa2048: ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'],
    rsa1024: ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:1024'],
    p256: ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'],
    p384: ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384'],
  };
  openssl(['genpkey', ...opts[spec], '-out', path]);
  return path;
}

function identity(name: string, keyPath: string, certPath: string): TestIdentity {
  const certificate = pemToDerList(readFileSync(certPath))[0];
  if (!certificate) throw new Error(`no certificate in ${certPath}`);
  return { name, certPath, keyPath, certificate, privateKey: createPrivateKey(readFileSync(keyPath)) };
}

function makeRoot(dir: string, name: string, subject: string): TestIdentity {
  const key = genKey(dir, name, 'rsa2048');
  const cert = join(dir, `${name}.pem`);
  const addext = CA_EXT.split('\n').flatMap((line) => ['-addext', line]);
  openssl(['req', '-new', '-x509', '-key', key, '-subj', subject, '-days', '3650', '-sha256', '-utf8', '-config', '/dev/null', ...addext, '-out', cert]);
  return identity(name, key, cert);
}

let serial = 0x1000;

function issue(
  dir: string,
  name: string,
  spec: KeySpec,
  subject: string,
  issuer: TestIdentity,
  ext: string,
  days = 365,
): TestIdentity {
  const key = genKey(dir, name, spec);
  const csr = join(dir, `${name}.csr`);
  const cert = join(dir, `${name}.pem`);
  const extFile = join(dir, `${name}.ext`);
  writeFileSync(extFile, `${ext}\n`);
  openssl(['req', '-new', '-key', key, '-subj', subject, '-utf8', '-config', '/dev/null', '-out', csr]);
  serial += 1;
  openssl([
    'x509', '-req', '-in', csr, '-CA', issuer.certPath, '-CAkey', issuer.keyPath,
    '-set_serial', `0x${serial.toString(16)}`, '-days', String(days), '-sha256', '-extfile', extFile, '-out', cert,
  ]);
  return identity(name, key, cert);
}

/** Builds the whole PKI in a fresh temporary directory (about a second of openssl work). */
export function createTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'edx-cms-pki-'));
  const root = makeRoot(dir, 'root', '/C=RU/O=Test Root CA/CN=Test Root');
  const otherRoot = makeRoot(dir, 'other-root', '/C=RU/O=Untrusted/CN=Other Root');
  const intermediate = issue(dir, 'intermediate', 'p384', '/C=RU/O=Test Root CA/CN=Test Intermediate', root, `${CA_EXT}\n`);
  const rsa = issue(dir, 'rsa', 'rsa2048', '/C=RU/O=Org/CN=RSA Signer', intermediate, LEAF_EXT);
  const rsaOther = issue(dir, 'rsa-other', 'rsa2048', '/C=RU/O=Org/CN=RSA Other', intermediate, LEAF_EXT);
  const ec256 = issue(dir, 'ec256', 'p256', '/C=RU/O=Org/CN=EC P-256 Signer', intermediate, LEAF_EXT);
  const ec384 = issue(dir, 'ec384', 'p384', '/C=RU/O=Org/CN=EC P-384 Signer', root, LEAF_EXT);
  const keyAgreementOnly = issue(
    dir, 'ka', 'p256', '/C=RU/O=Org/CN=Key Agreement', intermediate,
    'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,keyAgreement\nsubjectKeyIdentifier=hash',
  );
  const shortLived = issue(dir, 'short', 'p256', '/C=RU/O=Org/CN=Short Lived', intermediate, LEAF_EXT, 1);
  const untrusted = issue(dir, 'untrusted', 'p256', '/C=RU/O=Org/CN=Untrusted Signer', otherRoot, LEAF_EXT);
  const rsa1024 = issue(dir, 'rsa1024', 'rsa1024', '/C=RU/O=Org/CN=Weak RSA', intermediate, LEAF_EXT);
  const qualified = issue(
    dir, 'qualified', 'p256',
    '/C=RU/ST=77 Москва/L=Москва/O=ООО "Ромашка"/title=Генеральный директор/SN=Иванов/GN=Иван Иванович/CN=Иванов Иван Иванович/1.2.643.100.1=1027700132195/1.2.643.100.3=11223344595/1.2.643.3.131.1.1=500100732259',
    root,
    `${LEAF_EXT}\ncertificatePolicies=1.2.643.100.113.1,1.2.643.100.113.2\n1.2.643.100.111=ASN1:UTF8String:CryptoPro CSP 5.0`,
  );
  const impostor = makeRoot(dir, 'impostor', '/C=RU/O=Test Root CA/CN=Test Intermediate');
  const forged = issue(
    dir, 'forged', 'p256', '/C=RU/O=Org/CN=Forged Signer', impostor,
    'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nsubjectKeyIdentifier=none\nauthorityKeyIdentifier=none',
  );
  writeFileSync(join(dir, 'root-only.pem'), readFileSync(root.certPath));
  return {
    dir,
    root,
    intermediate,
    rootFile: join(dir, 'root-only.pem'),
    otherRoot,
    leaves: { rsa, ec256, ec384, keyAgreementOnly, shortLived, untrusted, rsa1024, qualified, rsaOther, forged },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
