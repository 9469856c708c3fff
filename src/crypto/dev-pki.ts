import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { isValidInnLegalEntity, isValidOgrn, isValidSnils } from '../identifiers/index.ts';
import { generateKeyPair, privateKeyToPem, type KeyAlgorithm } from './keys.ts';
import { certificateToPem, derToPem } from './pem.ts';
import type { CryptoResult } from './types.ts';
import { issueCrl } from './x509-crl-issue.ts';
import { issueCertificate } from './x509-issue.ts';

/** The synthetic demo participants shipped with the project (not real organisations). */
export const DEFAULT_DEV_PARTICIPANTS_FILE = resolve(dirname(fileURLToPath(import.meta.url)), '../../fixtures/demo-participants.json');

const devParticipantSchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/u, 'lower-case letters, digits and dashes'),
  kind: z.enum(['government', 'enterprise']).optional(),
  name: z.string().trim().min(1).max(1000),
  inn: z.string().refine(isValidInnLegalEntity, 'INN of a legal entity: 10 digits with a valid check digit'),
  ogrn: z.string().refine(isValidOgrn, 'OGRN: 13 digits with a valid check digit'),
  signatory: z.object({
    surname: z.string().trim().min(1).max(200),
    givenName: z.string().trim().min(1).max(200),
    position: z.string().trim().min(1).max(500),
    snils: z.string().refine(isValidSnils, 'SNILS: 11 digits with a valid check number'),
  }),
});
export type DevParticipant = z.infer<typeof devParticipantSchema>;

const participantsFileSchema = z
  .array(devParticipantSchema)
  .min(1)
  .max(5000)
  .refine((list) => new Set(list.map((p) => p.id)).size === list.length, 'participant ids must be unique');

/** Reads and checks a participants file (a JSON array); check digits of INN, OGRN and SNILS are verified. */
export async function loadDevParticipants(file: string): Promise<CryptoResult<DevParticipant[], 'PARTICIPANTS_INVALID'>> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    return { ok: false, error: { code: 'PARTICIPANTS_INVALID', message: `${file}: ${error instanceof Error ? error.message : String(error)}` } };
  }
  const parsed = participantsFileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue === undefined ? '' : issue.path.join('.');
    return { ok: false, error: { code: 'PARTICIPANTS_INVALID', message: `${file}: ${where === '' ? '' : `${where}: `}${issue?.message ?? 'invalid'}` } };
  }
  return { ok: true, value: parsed.data };
}

export interface InitDevPkiInput {
  dir: string;
  participants: readonly DevParticipant[];
  algorithm?: KeyAlgorithm;
  now: Date;
  /** Replace an existing PKI in `dir`; otherwise an existing root is an error. */
  overwrite?: boolean;
  /**
   * The organisation operating the gateway: its name, OGRN and INN go into the evidence-seal
   * certificate, so the gateway's receipts are signed by an identifiable legal entity.
   */
  operator?: { name: string; inn: string; ogrn: string };
  /**
   * Base URL of the development revocation services: the gateway and participant certificates
   * then name `${base}/crl.der` as CRL distribution point and `${base}/ocsp` as OCSP responder.
   */
  revocationBaseUrl?: string;
  /**
   * Also issue an OCSP responder certificate (id-kp-OCSPSigning, RFC 6960 §4.2.2.2) and a TSA
   * certificate (critical id-kp-timeStamping only, RFC 3161 §2.3), with their keys.
   */
  services?: boolean;
  /** Called after each participant's key and certificate are made (`done` of `total`), for a progress display. */
  onProgress?: (done: number, total: number) => void;
}

export interface DevPki {
  dir: string;
  rootCertPath: string;
  rootKeyPath: string;
  trustListPath: string;
  gatewayCertPath: string;
  gatewayKeyPath: string;
  /** `certificate` is the DER just written to `certPath`. */
  participants: { id: string; certPath: string; keyPath: string; certificate: Buffer }[];
  /** An empty CRL of the root (PEM), valid 30 days: `edx verify --crl` accepts it. */
  crlPath: string;
  ocspResponder?: { certPath: string; keyPath: string };
  tsa?: { certPath: string; keyPath: string };
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Creates a development PKI (issue 2): a root CA marked qualified in `trust.json`, the gateway's
 * evidence-seal certificate, and a PKCS#8 key + certificate per participant with the subject
 * attributes of the Russian qualified profile (O, T, CN, SN, GN, OGRN, SNILS, INNLE) and the
 * KC1 policy. With `algorithm: 'gost2012-256' | 'gost2012-512'` the whole PKI is GOST R 34.10-2012
 * (RFC 9215 certificates, keys in the PKCS#8 form of OpenSSL's GOST engine). Development only: the
 * keys are unencrypted and the CA is not accredited.
 */
export async function initDevPki(input: InitDevPkiInput): Promise<DevPki> {
  const dir = resolve(input.dir);
  const algorithm = input.algorithm ?? 'ecdsa-p256';
  const rootCertPath = join(dir, 'root.pem');
  if (input.overwrite !== true && (await stat(rootCertPath).catch(() => undefined)) !== undefined) {
    throw new Error(`${rootCertPath} already exists; use --force to replace the development PKI`);
  }
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const start = new Date(input.now.getTime() - DAY_MS);

  const rootKeys = generateKeyPair(algorithm);
  const root = issueCertificate({
    subject: {
      commonName: 'edx-gateway development root CA (NOT FOR PRODUCTION)',
      organization: 'edx-gateway development PKI',
      country: 'RU',
    },
    subjectPublicKey: rootKeys.publicKey,
    issuer: 'self',
    selfPrivateKey: rootKeys.privateKey,
    notBefore: start,
    notAfter: new Date(input.now.getTime() + 10 * 365 * DAY_MS),
    ca: true,
    pathLength: 0,
    qualifiedProfile: true,
  });
  const issuer = { certificate: root, privateKey: rootKeys.privateKey };
  const rootKeyPath = join(dir, 'root.key.pem');
  await writeSecret(rootKeyPath, privateKeyToPem(rootKeys.privateKey));
  await writeFile(rootCertPath, certificateToPem(root));
  const trustListPath = join(dir, 'trust.json');
  await writeFile(
    trustListPath,
    `${JSON.stringify([{ file: 'root.pem', qualified: true, label: 'edx-gateway development root CA (development only)' }], null, 2)}\n`,
  );

  const leafEnd = new Date(input.now.getTime() + 2 * 365 * DAY_MS);
  const base = input.revocationBaseUrl?.replace(/\/+$/u, '');
  const pointers = base === undefined ? {} : { crlDistributionPoints: [`${base}/crl.der`], ocspUrls: [`${base}/ocsp`] };
  const crlPath = join(dir, 'crl.pem');
  // The CRL of a fresh PKI lists nothing; revoking is re-issuing it with issueCrl.
  await writeFile(crlPath, derToPem(issueCrl({ issuer, revoked: [], thisUpdate: start, nextUpdate: new Date(input.now.getTime() + 30 * DAY_MS) }), 'X509 CRL'));
  const gatewayKeys = generateKeyPair(algorithm);
  const gateway = issueCertificate({
    subject: {
      commonName: 'edx-gateway evidence seal (development)',
      organization: input.operator?.name ?? 'edx-gateway development operator',
      country: 'RU',
      ...(input.operator === undefined ? {} : { ogrn: input.operator.ogrn, innle: input.operator.inn }),
    },
    subjectPublicKey: gatewayKeys.publicKey,
    issuer,
    notBefore: start,
    notAfter: leafEnd,
    extendedKeyUsage: ['emailProtection'],
    ...pointers,
  });
  const gatewayCertPath = join(dir, 'gateway.cert.pem');
  const gatewayKeyPath = join(dir, 'gateway.key.pem');
  await writeSecret(gatewayKeyPath, privateKeyToPem(gatewayKeys.privateKey));
  await writeFile(gatewayCertPath, certificateToPem(gateway));

  const participants: DevPki['participants'] = [];
  const pending: Promise<void>[] = [];
  for (const p of input.participants) {
    const keys = generateKeyPair(algorithm);
    const cert = issueCertificate({
      subject: {
        country: 'RU',
        organization: p.name,
        title: p.signatory.position,
        commonName: `${p.signatory.surname} ${p.signatory.givenName}`,
        surname: p.signatory.surname,
        givenName: p.signatory.givenName,
        ogrn: p.ogrn,
        snils: p.signatory.snils,
        innle: p.inn,
      },
      subjectPublicKey: keys.publicKey,
      issuer,
      notBefore: start,
      notAfter: leafEnd,
      extendedKeyUsage: ['emailProtection', 'clientAuth'],
      qualifiedProfile: true,
      ...pointers,
    });
    const keyPath = join(dir, `${p.id}.key.pem`);
    const certPath = join(dir, `${p.id}.cert.pem`);
    // Written a batch at a time: one at a time, the thread-pool round trips (not the crypto) made
    // the first start of a 738-participant directory take seconds.
    pending.push(writeSecret(keyPath, privateKeyToPem(keys.privateKey)), writeFile(certPath, certificateToPem(cert)));
    if (pending.length >= 64) await Promise.all(pending.splice(0));
    participants.push({ id: p.id, certPath, keyPath, certificate: cert });
    input.onProgress?.(participants.length, input.participants.length);
  }
  await Promise.all(pending);
  const result: DevPki = { dir, rootCertPath, rootKeyPath, trustListPath, gatewayCertPath, gatewayKeyPath, participants, crlPath };
  if (input.services !== true) return result;
  const service = async (name: string, commonName: string, extra: Pick<Parameters<typeof issueCertificate>[0], 'keyUsage' | 'extendedKeyUsage' | 'extendedKeyUsageCritical'>) => {
    const keys = generateKeyPair(algorithm);
    const cert = issueCertificate({ subject: { commonName, organization: 'edx-gateway development PKI', country: 'RU' }, subjectPublicKey: keys.publicKey, issuer, notBefore: start, notAfter: leafEnd, ...extra });
    const paths = { certPath: join(dir, `${name}.cert.pem`), keyPath: join(dir, `${name}.key.pem`) };
    await writeSecret(paths.keyPath, privateKeyToPem(keys.privateKey));
    await writeFile(paths.certPath, certificateToPem(cert));
    return paths;
  };
  result.ocspResponder = await service('ocsp', 'edx-gateway development OCSP responder', { keyUsage: ['digitalSignature'], extendedKeyUsage: ['OCSPSigning'] });
  result.tsa = await service('tsa', 'edx-gateway development TSA', { keyUsage: ['digitalSignature', 'nonRepudiation'], extendedKeyUsage: ['timeStamping'], extendedKeyUsageCritical: true });
  return result;
}

async function writeSecret(path: string, text: string): Promise<void> {
  await writeFile(path, text, { mode: 0o600 });
  await chmod(path, 0o600);
}
