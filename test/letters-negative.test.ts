/**
 * Negative cases of SPEC §4/§8 at the container level: each gives its exact finding or
 * sub-indication, `edx verify` exits 1 (or 2 for input it cannot read), and nothing crashes.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_DEV_PARTICIPANTS_FILE,
  certificateToPem,
  generateKeyPair,
  issueCertificate,
  loadDevParticipants,
  loadPrivateKeyPem,
  pemToDerList,
  privateKeyToPem,
  type DevParticipant,
  type KeyUsageName,
} from '../src/crypto/index.ts';
import type { ContainerVerification } from '../src/letters/index.ts';
import { edx } from './helpers/cli.ts';
import { flipByte, rewriteContainer } from './helpers/containers.ts';

const NOW = new Date('2026-11-25T09:00:00Z');

let dir: string;
let pki: string;
let sender: DevParticipant;
let recipient: DevParticipant;
let other: DevParticipant;
let letter: string;
let good: string;
let second: string;

function packArgs(o: { out: string; from?: string; key?: string; cert?: string }): string[] {
  const from = o.from ?? sender.id;
  return [
    'pack', '--from', from, '--to', recipient.id, '--kind', 'letter', '--reg-number', '7/11', '--reg-date', '2026-11-20',
    '--subject', 'Test', '--signatory-name', 'Петров П. П.', '--signatory-position', 'Директор',
    '--file', letter, '--key', o.key ?? join(pki, `${from}.key.pem`), '--cert', o.cert ?? join(pki, `${from}.cert.pem`), '-o', o.out,
  ];
}

async function verify(path: string, trust = join(pki, 'root.pem')): Promise<{ code: number; v: ContainerVerification }> {
  const run = await edx(['verify', path, '--qualified-trust', trust, '--no-revocation', '--json'], NOW);
  expect(run.code, run.stderr).toBe(1);
  return { code: run.code, v: JSON.parse(run.stdout) as ContainerVerification };
}

function reportsOf(v: ContainerVerification, role: 'transport' | 'document'): { indication: string; subIndication: string | null }[] {
  return v.signatures.filter((s) => s.role === role).flatMap((s) => s.reports);
}

/** Issues a certificate for the sender's organisation from the development root, with a twist. */
async function twistedIdentity(name: string, twist: { notBefore?: Date; notAfter?: Date; keyUsage?: readonly KeyUsageName[] }): Promise<{ key: string; cert: string }> {
  const rootDer = pemToDerList(await readFile(join(pki, 'root.pem')))[0];
  const rootKey = loadPrivateKeyPem(await readFile(join(pki, 'root.key.pem')));
  if (rootDer === undefined || !rootKey.ok) throw new Error('development root unreadable');
  const pair = generateKeyPair('ecdsa-p256');
  const der = issueCertificate({
    subject: { commonName: 'Петров Пётр Петрович', organization: sender.name, ogrn: sender.ogrn, innle: sender.inn, snils: sender.signatory.snils },
    subjectPublicKey: pair.publicKey,
    issuer: { certificate: rootDer, privateKey: rootKey.value },
    notBefore: twist.notBefore ?? new Date('2026-01-01T00:00:00Z'),
    notAfter: twist.notAfter ?? new Date('2028-01-01T00:00:00Z'),
    ...(twist.keyUsage === undefined ? {} : { keyUsage: twist.keyUsage }),
  });
  const key = join(dir, `${name}.key.pem`);
  const cert = join(dir, `${name}.cert.pem`);
  await writeFile(key, privateKeyToPem(pair.privateKey));
  await writeFile(cert, certificateToPem(der));
  return { key, cert };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'edx-neg-'));
  pki = join(dir, 'pki');
  const participants = await loadDevParticipants(DEFAULT_DEV_PARTICIPANTS_FILE);
  if (!participants.ok) throw new Error(participants.error.message);
  const [a, b, c] = participants.value;
  if (a === undefined || b === undefined || c === undefined) throw new Error('the demo directory needs three participants');
  [sender, recipient, other] = [a, b, c];
  expect((await edx(['pki', 'init', '--dir', pki], NOW)).code).toBe(0);
  expect((await edx(['pki', 'init', '--dir', join(dir, 'foreign')], NOW)).code).toBe(0);
  letter = join(dir, 'letter.pdf');
  await writeFile(letter, randomBytes(50_000));
  good = join(dir, 'good.zip');
  second = join(dir, 'second.zip');
  expect((await edx(packArgs({ out: good }), NOW)).code).toBe(0);
  expect((await edx(packArgs({ out: second }), NOW)).code).toBe(0);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('tampered containers', () => {
  it('one flipped byte in a file: HASH_FAILURE and a digest finding', async () => {
    const out = join(dir, 'flip-file.zip');
    await rewriteContainer(good, out, (e) => e.set('files/letter.pdf', flipByte(e.get('files/letter.pdf') ?? Buffer.alloc(1), 1000)));
    const { v } = await verify(out);
    expect(reportsOf(v, 'document').map((r) => r.subIndication)).toEqual(['HASH_FAILURE']);
    expect(reportsOf(v, 'document').map((r) => r.indication)).toEqual(['TOTAL-FAILED']);
    expect(v.findings.map((f) => f.code)).toContain('FILE_DIGEST_MISMATCH');
  });

  it('one flipped byte in a signature value: SIG_CRYPTO_FAILURE', async () => {
    const out = join(dir, 'flip-sig.zip');
    await rewriteContainer(good, out, (e) => e.set('files/letter.pdf.p7s', flipByte(e.get('files/letter.pdf.p7s') ?? Buffer.alloc(1), -1)));
    const { v } = await verify(out);
    expect(reportsOf(v, 'document').map((r) => r.subIndication)).toEqual(['SIG_CRYPTO_FAILURE']);
    expect(reportsOf(v, 'transport').map((r) => r.indication)).toEqual(['TOTAL-PASSED']);
  });

  it('a file listed in the envelope but missing from the ZIP', async () => {
    const out = join(dir, 'missing.zip');
    await rewriteContainer(good, out, (e) => e.delete('files/letter.pdf'));
    const { v } = await verify(out);
    expect(v.findings.map((f) => f.code)).toContain('FILE_MISSING');
    expect(v.passed).toBe(false);
  });

  it('an extra file that the envelope does not list', async () => {
    const out = join(dir, 'extra.zip');
    await rewriteContainer(good, out, (e) => e.set('files/smuggled.exe', Buffer.from('MZ')));
    const { v } = await verify(out);
    expect(v.findings).toEqual([expect.objectContaining({ code: 'FILE_UNLISTED', path: 'files/smuggled.exe' })]);
  });

  it('an envelope signature swapped in from another letter: HASH_FAILURE on the transport signature', async () => {
    const other = await import('./helpers/containers.ts').then((m) => m.readAllEntries(second));
    const out = join(dir, 'swapped.zip');
    await rewriteContainer(good, out, (e) => e.set('envelope.xml.p7s', other.get('envelope.xml.p7s') ?? Buffer.alloc(0)));
    const { v } = await verify(out);
    expect(reportsOf(v, 'transport').map((r) => r.subIndication)).toEqual(['HASH_FAILURE']);
  });

  it('a changed envelope (subject edited after signing): HASH_FAILURE on the transport signature', async () => {
    const out = join(dir, 'edited.zip');
    await rewriteContainer(good, out, (e) => {
      const original = (e.get('envelope.xml') ?? Buffer.alloc(0)).toString('utf8');
      const xml = original.replace('<Subject>Test</Subject>', '<Subject>Tost</Subject>');
      expect(xml).not.toBe(original);
      e.set('envelope.xml', Buffer.from(xml));
    });
    const { v } = await verify(out);
    expect(reportsOf(v, 'transport').map((r) => r.subIndication)).toEqual(['HASH_FAILURE']);
  });
});

describe('wrong certificates', () => {
  it('a certificate from an untrusted CA: NO_CERTIFICATE_CHAIN_FOUND', async () => {
    const { v } = await verify(good, join(dir, 'foreign', 'root.pem'));
    for (const r of v.signatures.flatMap((s) => s.reports)) {
      expect(r.indication).toBe('INDETERMINATE');
      expect(r.subIndication).toBe('NO_CERTIFICATE_CHAIN_FOUND');
    }
  });

  it('a certificate expired at the signing time: OUT_OF_BOUNDS_NO_POE', async () => {
    const id = await twistedIdentity('expired', { notBefore: new Date('2024-01-01T00:00:00Z'), notAfter: new Date('2025-01-01T00:00:00Z') });
    const out = join(dir, 'expired.zip');
    expect((await edx(packArgs({ out, key: id.key, cert: id.cert }), NOW)).code).toBe(0);
    const { v } = await verify(out);
    for (const r of v.signatures.flatMap((s) => s.reports)) expect(r.subIndication).toBe('OUT_OF_BOUNDS_NO_POE');
  });

  it('a key without digitalSignature or nonRepudiation: CHAIN_CONSTRAINTS_FAILURE', async () => {
    const id = await twistedIdentity('no-ku', { keyUsage: ['keyAgreement'] });
    const out = join(dir, 'no-ku.zip');
    expect((await edx(packArgs({ out, key: id.key, cert: id.cert }), NOW)).code).toBe(0);
    const { v } = await verify(out);
    for (const r of v.signatures.flatMap((s) => s.reports)) expect(r.subIndication).toBe('CHAIN_CONSTRAINTS_FAILURE');
  });

  it('signatures by someone who is not the sender: SIGNER_NOT_SENDER', async () => {
    const out = join(dir, 'impostor.zip');
    expect((await edx(packArgs({ out, from: sender.id, key: join(pki, `${other.id}.key.pem`), cert: join(pki, `${other.id}.cert.pem`) }), NOW)).code).toBe(0);
    const { v } = await verify(out);
    expect(v.signatures.flatMap((s) => s.reports).every((r) => r.indication === 'TOTAL-PASSED')).toBe(true);
    expect(v.findings.map((f) => f.code)).toEqual(['SIGNER_NOT_SENDER', 'SIGNER_NOT_SENDER']);
  });
});

describe('input that is not a container', () => {
  it('garbage, an empty file and a ZIP without an envelope exit 2 with a clear message', async () => {
    const garbage = join(dir, 'garbage.zip');
    await writeFile(garbage, randomBytes(4096));
    const empty = join(dir, 'empty.zip');
    await writeFile(empty, Buffer.alloc(0));
    const noEnvelope = join(dir, 'no-envelope.zip');
    await rewriteContainer(good, noEnvelope, (e) => e.delete('envelope.xml'));
    for (const [path, code] of [[garbage, 'CONTAINER_UNREADABLE'], [empty, 'CONTAINER_UNREADABLE'], [noEnvelope, 'CONTAINER_NOT_RECOGNISED']] as const) {
      const run = await edx(['verify', path, '--trust', join(pki, 'root.pem')], NOW);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(code);
    }
  });

  it('an envelope with a DTD (XXE) exits 2 with XML_DTD_FORBIDDEN', async () => {
    const out = join(dir, 'xxe.zip');
    await rewriteContainer(good, out, (e) => {
      const xml = (e.get('envelope.xml') ?? Buffer.alloc(0)).toString('utf8');
      e.set('envelope.xml', Buffer.from(xml.replace('?>', '?>\n<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>')));
    });
    const run = await edx(['verify', out, '--trust', join(pki, 'root.pem')], NOW);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('XML_DTD_FORBIDDEN');
  });

  it('usage errors exit 2', async () => {
    expect((await edx(['verify'], NOW)).code).toBe(2);
    expect((await edx(['pack', '--from', 'x'], NOW)).code).toBe(2);
    expect((await edx(['nonsense'], NOW)).code).toBe(2);
    const badDate = await edx([...packArgs({ out: join(dir, 'x.zip') }).map((a) => (a === '2026-11-20' ? '2026-02-30' : a))], NOW);
    expect(badDate.code).toBe(2);
    expect(badDate.stderr).toContain('reg-date');
  });
});
