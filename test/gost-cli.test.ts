/**
 * The gateway on GOST end to end through the `edx` CLI: `pki init --algorithm gost2012-256`
 * makes a GOST PKI with the qualified profile, then `pack`, `verify` and `receipt` run on it.
 * Independent judges: `openssl x509/verify/cms -engine gost` for every certificate and .p7s, and
 * `xmllint --schema` for envelope.xml (Streebog-256 file digests) and receipt.xml.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_DEV_PARTICIPANTS_FILE, loadDevParticipants, type DevParticipant } from '../src/crypto/index.ts';
import { parseEnvelopeXml } from '../src/envelope/index.ts';
import type { ContainerVerification } from '../src/letters/index.ts';
import { edx } from './helpers/cli.ts';
import { extractAll, flipByte } from './helpers/containers.ts';
import { tool, xmllintSchema } from './helpers/tools.ts';

const SCHEMAS = resolve(import.meta.dirname, '..', 'schemas');
// OpenSSL checks validity at the real clock, so the PKI is made at the real clock too.
const NOW = new Date();

let dir: string;
let pki: string;
let sender: DevParticipant;
let recipient: DevParticipant;
let container: string;
let receipt: string;

function opensslCmsVerify(signature: string, content: string): { status: number | null; stderr: string } {
  return tool('openssl', ['cms', '-engine', 'gost', '-verify', '-cades', '-binary', '-inform', 'DER', '-in', signature, '-content', content, '-CAfile', join(pki, 'root.pem'), '-out', '/dev/null']);
}

async function verifyJson(path: string): Promise<{ code: number; result: ContainerVerification }> {
  const run = await edx(['verify', path, '--qualified-trust', join(pki, 'root.pem'), '--no-revocation', '--json'], NOW);
  expect(run.stderr).toBe('');
  return { code: run.code, result: JSON.parse(run.stdout) as ContainerVerification };
}

/** Every .p7s of an extracted container verified by OpenSSL's GOST engine against its content. */
function expectSignaturesVerifyWithOpenssl(paths: ReadonlyMap<string, string>, expected: number): void {
  const signatures = [...paths.keys()].filter((n) => n.endsWith('.p7s'));
  expect(signatures).toHaveLength(expected);
  for (const sig of signatures) {
    const content = paths.get(sig.replace(/\.p7s$/u, ''));
    const sigPath = paths.get(sig);
    if (content === undefined || sigPath === undefined) throw new Error(`no content for ${sig}`);
    const r = opensslCmsVerify(sigPath, content);
    expect(r.stderr, sig).toContain('Verification successful');
    expect(r.status, sig).toBe(0);
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'edx-gost-cli-'));
  pki = join(dir, 'pki');
  const participants = await loadDevParticipants(DEFAULT_DEV_PARTICIPANTS_FILE);
  if (!participants.ok) throw new Error(participants.error.message);
  const [first, second] = participants.value;
  if (first === undefined || second === undefined) throw new Error('the demo directory needs two participants');
  sender = first;
  recipient = second;
  const init = await edx(['pki', 'init', '--dir', pki, '--algorithm', 'gost2012-256'], NOW);
  expect(init.stderr).toContain('gost2012-256');
  expect(init.code).toBe(0);

  const letter = join(dir, 'Письмо.pdf');
  const attachment = join(dir, 'приложение.xlsx');
  await writeFile(letter, Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(100_000)]));
  await writeFile(attachment, randomBytes(20_000));
  container = join(dir, 'letter.zip');
  const packed = await edx(
    [
      'pack', '--from', sender.id, '--to', recipient.id, '--kind', 'letter', '--reg-number', '01-15/1', '--reg-date', '2026-11-24',
      '--subject', 'ГОСТ', '--signatory-name', 'Иванов И. И.', '--signatory-position', 'Директор',
      '--file', letter, '--file', attachment,
      '--key', join(pki, `${sender.id}.key.pem`), '--cert', join(pki, `${sender.id}.cert.pem`), '-o', container,
    ],
    NOW,
  );
  expect(packed.stderr).not.toContain('error');
  expect(packed.code).toBe(0);
  receipt = join(dir, 'receipt.zip');
  const made = await edx(
    [
      'receipt', '--for', container, '--kind', 'registered', '--number', 'ВХ-7', '--date', '2026-11-25',
      '--key', join(pki, `${recipient.id}.key.pem`), '--cert', join(pki, `${recipient.id}.cert.pem`), '-o', receipt,
    ],
    NOW,
  );
  expect(made.stderr).not.toContain('error');
  expect(made.code).toBe(0);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('edx pki init --algorithm gost2012-256', () => {
  it('issues GOST certificates with the qualified profile that OpenSSL prints and verifies', async () => {
    const cert = join(pki, `${sender.id}.cert.pem`);
    const text = tool('openssl', ['x509', '-engine', 'gost', '-in', cert, '-noout', '-text', '-nameopt', 'utf8,sep_comma_plus']);
    expect(text.status).toBe(0);
    for (const expected of [
      'Signature Algorithm: GOST R 34.10-2012 with GOST R 34.11-2012 (256 bit)',
      'Public Key Algorithm: GOST R 34.10-2012 with 256 bit modulus',
      'Parameter set: id-GostR3410-2001-CryptoPro-A-ParamSet',
      `OGRN=${sender.ogrn}`,
      `SNILS=${sender.signatory.snils}`,
      // OpenSSL 3.0 has no short name for INNLE (1.2.643.100.4).
      `1.2.643.100.4=${sender.inn}`,
      'Class of Signing Tool KC1',
      'Signing Tool of Subject',
      'Signing Tool of Issuer',
      'Digital Signature, Non Repudiation',
    ]) {
      expect(text.stdout).toContain(expected);
    }
    for (const file of [`${sender.id}.cert.pem`, `${recipient.id}.cert.pem`, 'gateway.cert.pem']) {
      const v = tool('openssl', ['verify', '-engine', 'gost', '-purpose', 'smimesign', '-CAfile', join(pki, 'root.pem'), join(pki, file)]);
      expect(v.stdout, file).toContain(': OK');
    }
    // The engine reads the keys we wrote.
    const key = tool('openssl', ['pkey', '-engine', 'gost', '-in', join(pki, `${sender.id}.key.pem`), '-noout', '-text']);
    expect(key.status).toBe(0);
    expect(key.stdout + key.stderr).not.toContain('error');
  });
});

describe('a letter packed on the GOST PKI', () => {
  it('lists Streebog-256 file digests, valid for xmllint, and every .p7s verifies with openssl cms -engine gost', async () => {
    const paths = await extractAll(container, join(dir, 'letter'));
    expectSignaturesVerifyWithOpenssl(paths, 3);
    const envelopePath = paths.get('envelope.xml') ?? '';
    const lint = xmllintSchema(join(SCHEMAS, 'envelope.xsd'), [envelopePath]);
    expect(lint.stderr).toContain('validates');
    expect(lint.status).toBe(0);
    const envelope = parseEnvelopeXml(await readFile(envelopePath));
    if (!envelope.ok) throw new Error(envelope.error.message);
    expect(envelope.value.files.map((f) => f.digest.algorithm)).toEqual(['streebog-256', 'streebog-256']);
    expect(envelope.value.files.every((f) => f.digest.value.length === 44)).toBe(true);
    // The oracle can fail: a flipped signature byte is refused.
    const bad = join(dir, 'bad.p7s');
    await writeFile(bad, flipByte(await readFile(paths.get('envelope.xml.p7s') ?? ''), -1));
    expect(opensslCmsVerify(bad, envelopePath).status).not.toBe(0);
  });

  it('verifies TOTAL-PASSED and qualified in edx verify, with GOST in every report', async () => {
    const { code, result } = await verifyJson(container);
    expect(result.findings).toEqual([]);
    expect(code).toBe(0);
    const reports = result.signatures.flatMap((s) => s.reports);
    expect(reports).toHaveLength(3);
    for (const r of reports) {
      expect(r.indication).toBe('TOTAL-PASSED');
      expect(r.qualification).toBe('qualified');
      expect(r.digestAlgorithm).toBe('streebog-256');
      expect(r.signatureAlgorithm).toBe('gost2012-streebog256');
      expect(r.signedBy?.publicKey).toBe('gost2012-256');
      expect(r.signedBy?.ogrn).toBe(sender.ogrn);
    }
  });
});

describe('a receipt made on the GOST PKI', () => {
  it('verifies in edx verify and with openssl cms -engine gost; receipt.xml is valid for xmllint', async () => {
    const { code, result } = await verifyJson(receipt);
    expect(result.kind).toBe('receipt');
    expect(result.findings).toEqual([]);
    expect(code).toBe(0);
    for (const r of result.signatures.flatMap((s) => s.reports)) {
      expect(r.indication).toBe('TOTAL-PASSED');
      expect(r.signedBy?.publicKey).toBe('gost2012-256');
    }
    const paths = await extractAll(receipt, join(dir, 'receipt'));
    expectSignaturesVerifyWithOpenssl(paths, 1);
    const lint = xmllintSchema(join(SCHEMAS, 'receipt.xsd'), [paths.get('receipt.xml') ?? '']);
    expect(lint.stderr).toContain('validates');
    expect(lint.status).toBe(0);
  });
});
