import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateKeyPair, issueCertificate, loadPrivateKeyPem, pemToDerList, type SubjectInfo } from '../../src/crypto/index.ts';
import { completeInnLegalEntity, completeOgrn, completeSnils } from '../../src/identifiers/index.ts';
import type { TestGateway } from './gateway.ts';

const DAY = 86_400_000;

export interface Issuer {
  certificate: Buffer;
  privateKey: import('node:crypto').KeyObject;
}

/** The development root CA of a test gateway (`<data>/pki/root.pem` and `root.key.pem`). */
export async function devRoot(gw: TestGateway): Promise<Issuer> {
  const certificate = pemToDerList(await readFile(join(gw.paths.pki, 'root.pem')))[0];
  const key = loadPrivateKeyPem(await readFile(join(gw.paths.pki, 'root.key.pem')));
  if (certificate === undefined || !key.ok) throw new Error('development root unreadable');
  return { certificate, privateKey: key.value };
}

/** An end-entity certificate valid from `from` to `to` (dates), issued by `issuer` (or self-signed). */
export function leafCertificate(input: { issuer: Issuer | 'self'; from: Date; to: Date; subject?: Partial<SubjectInfo> }): Buffer {
  const keys = generateKeyPair('ecdsa-p256');
  return issueCertificate({
    subject: { commonName: 'Test Signer', organization: 'Test Org', ...input.subject },
    subjectPublicKey: keys.publicKey,
    issuer: input.issuer,
    selfPrivateKey: keys.privateKey,
    notBefore: input.from,
    notAfter: input.to,
  });
}

/** A CA certificate with its key (self-signed unless an issuer is given). */
export function caCertificate(input: { name: string; from: Date; to: Date; issuer?: Issuer }): Issuer {
  const keys = generateKeyPair('ecdsa-p256');
  const certificate = issueCertificate({
    subject: { commonName: input.name, organization: 'Test CA', country: 'RU' },
    subjectPublicKey: keys.publicKey,
    issuer: input.issuer ?? 'self',
    selfPrivateKey: keys.privateKey,
    notBefore: input.from,
    notAfter: input.to,
    ca: true,
    qualifiedProfile: true,
  });
  return { certificate, privateKey: keys.privateKey };
}

export function days(from: Date, n: number): Date {
  return new Date(from.getTime() + n * DAY);
}

let counter = 100;

/** A participant JSON body with valid, fresh identifiers (check digits computed, not copied). */
export function newParticipant(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  counter += 1;
  const n = String(counter).padStart(4, '0');
  return {
    id: `test-org-${n}`,
    category: 'enterprise',
    name: `ООО «Тестовая организация ${n}»`,
    shortName: `Тест ${n}`,
    inn: completeInnLegalEntity(`59087${n}`),
    ogrn: completeOgrn(`10259087${n}`),
    kpp: '590801001',
    region: '59',
    email: `office@test-${n}.example`,
    phone: '+7 342 200-00-00',
    signatory: { surname: 'Смирнов', givenName: 'Пётр Ильич', position: 'Директор', snils: completeSnils(`112233${n.slice(1)}`) },
    ...overrides,
  };
}
