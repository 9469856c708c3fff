import { readFile } from 'node:fs/promises';
import { loadSigningKeyPem, pemToDerList, type SigningKey, type TrustAnchor } from '../crypto/index.ts';
import type { SigningIdentity } from '../letters/index.ts';
import { CliError } from './cli-error.ts';

async function readInput(path: string, what: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch {
    throw new CliError('FILE_UNREADABLE', `cannot read ${what} ${path}`);
  }
}

/** Certificates from a PEM file (one or more blocks) or a single DER certificate. */
export async function loadCertificates(path: string): Promise<Buffer[]> {
  const bytes = await readInput(path, 'certificate file');
  const pem = pemToDerList(bytes);
  if (pem.length > 0) return pem;
  if (bytes[0] === 0x30) return [bytes];
  throw new CliError('CERTIFICATE_UNREADABLE', `${path} holds no certificate (expected PEM or DER)`);
}

/** `--key` (PKCS#8 PEM, as openssl writes; RSA, ECDSA or GOST) and `--cert` (signer first, then its CA chain). */
export async function loadSigningIdentity(keyPath: string, certPath: string): Promise<SigningIdentity<SigningKey>> {
  const key = loadSigningKeyPem(await readInput(keyPath, 'key'));
  if (!key.ok) throw new CliError(key.error.code, `${keyPath}: ${key.error.message}`);
  const [certificate, ...chain] = await loadCertificates(certPath);
  if (certificate === undefined) throw new CliError('CERTIFICATE_UNREADABLE', `${certPath} holds no certificate`);
  return { privateKey: key.value, certificate, chain };
}

/** Trust anchors from `--trust` (not qualified) and `--qualified-trust` files. */
export async function loadTrustAnchors(plain: readonly string[], qualified: readonly string[]): Promise<TrustAnchor[]> {
  const anchors: TrustAnchor[] = [];
  for (const [paths, isQualified] of [[plain, false], [qualified, true]] as const) {
    for (const path of paths) {
      for (const certificate of await loadCertificates(path)) anchors.push({ certificate, qualified: isQualified, label: path });
    }
  }
  return anchors;
}

/** DER blobs from files holding PEM blocks with `label` (e.g. `X509 CRL`) or one DER object: CRLs, OCSP responses. */
export async function loadDerObjects(paths: readonly string[], label: string, what: string): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for (const path of paths) {
    const bytes = await readInput(path, what);
    const pem = pemToDerList(bytes, label);
    if (pem.length > 0) out.push(...pem);
    else if (bytes[0] === 0x30) out.push(bytes);
    else throw new CliError('FILE_UNREADABLE', `${path} holds no ${what} (expected PEM ${label} or DER)`);
  }
  return out;
}
