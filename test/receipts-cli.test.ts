/** Business receipts made with `edx receipt`: schema-valid, signed, verifiable by openssl and by edx. */
import { randomBytes } from 'node:crypto';
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_DEV_PARTICIPANTS_FILE, loadDevParticipants, type DevParticipant } from '../src/crypto/index.ts';
import type { ContainerVerification } from '../src/letters/index.ts';
import { edx } from './helpers/cli.ts';
import { extractAll, readAllEntries } from './helpers/containers.ts';
import { opensslVerifyDetached, xmllintSchema } from './helpers/tools.ts';

const SCHEMAS = resolve(import.meta.dirname, '..', 'schemas');
const NOW = new Date('2026-11-25T10:00:00Z');
let dir: string;
let pki: string;
let sender: DevParticipant;
let recipient: DevParticipant;
let letter: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'edx-receipt-'));
  pki = join(dir, 'pki');
  const participants = await loadDevParticipants(DEFAULT_DEV_PARTICIPANTS_FILE);
  if (!participants.ok) throw new Error(participants.error.message);
  const [a, b] = participants.value;
  if (a === undefined || b === undefined) throw new Error('need two participants');
  [sender, recipient] = [a, b];
  expect((await edx(['pki', 'init', '--dir', pki], NOW)).code).toBe(0);
  const file = join(dir, 'letter.pdf');
  await writeFile(file, randomBytes(10_000));
  letter = join(dir, 'letter.zip');
  const run = await edx([
    'pack', '--from', sender.id, '--to', recipient.id, '--kind', 'appeal', '--reg-number', '15', '--reg-date', '2026-11-25',
    '--subject', 'Обращение', '--signatory-name', 'Сидоров С. С.', '--signatory-position', 'Директор', '--response-due', '2026-12-25',
    '--file', file, '--key', join(pki, `${sender.id}.key.pem`), '--cert', join(pki, `${sender.id}.cert.pem`), '-o', letter,
  ], NOW);
  expect(run.code, run.stderr).toBe(0);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function makeReceipt(kind: 'registered' | 'refused', signerId: string, out: string): Promise<number> {
  const decision = kind === 'registered' ? ['--number', 'ВХ-2026/1501', '--date', '2026-11-25'] : ['--reason-code', 'NOT-OUR-COMPETENCE', '--reason', 'Вопрос не относится к компетенции органа'];
  const run = await edx(['receipt', '--for', letter, '--kind', kind, ...decision, '--key', join(pki, `${signerId}.key.pem`), '--cert', join(pki, `${signerId}.cert.pem`), '-o', out], NOW);
  return run.code;
}

describe('edx receipt', () => {
  for (const kind of ['registered', 'refused'] as const) {
    it(`makes a ${kind} receipt that xmllint, openssl and edx verify accept`, async () => {
      const out = join(dir, `${kind}.zip`);
      expect(await makeReceipt(kind, recipient.id, out)).toBe(0);
      const files = await extractAll(out, join(dir, `x-${kind}`));
      expect([...files.keys()].sort()).toEqual(['receipt.xml', 'receipt.xml.p7s']);
      const xml = files.get('receipt.xml') ?? '';
      const lint = xmllintSchema(join(SCHEMAS, 'receipt.xsd'), [xml]);
      expect(lint.status, lint.stderr).toBe(0);
      const os = opensslVerifyDetached(files.get('receipt.xml.p7s') ?? '', xml, join(pki, 'root.pem'));
      expect(os.status, os.stderr).toBe(0);

      const run = await edx(['verify', out, '--qualified-trust', join(pki, 'root.pem'), '--no-revocation', '--json'], NOW);
      expect(run.code, run.stdout).toBe(0);
      const v = JSON.parse(run.stdout) as ContainerVerification;
      if (v.kind !== 'receipt') throw new Error('expected a receipt');
      expect(v.receipt.kind).toBe(kind);
      expect(v.receipt.issuer.id).toBe(recipient.id);
      // The receipt names the exact envelope it answers.
      const envelope = (await readAllEntries(letter)).get('envelope.xml') ?? Buffer.alloc(0);
      expect(v.receipt.envelopeDigest.value).toBe(createHash('sha256').update(envelope).digest('base64'));
      if (kind === 'registered') expect(v.receipt.registration).toEqual({ number: 'ВХ-2026/1501', date: '2026-11-25' });
      else expect(v.receipt.reason?.code).toBe('NOT-OUR-COMPETENCE');
    });
  }

  it('a receipt signed by the sender instead of the recipient does not pass', async () => {
    const out = join(dir, 'forged.zip');
    expect(await makeReceipt('registered', sender.id, out)).toBe(0);
    const run = await edx(['verify', out, '--qualified-trust', join(pki, 'root.pem'), '--no-revocation', '--json'], NOW);
    expect(run.code).toBe(1);
    const v = JSON.parse(run.stdout) as ContainerVerification;
    expect(v.findings.map((f) => f.code)).toEqual(['SIGNER_NOT_SENDER']);
  });

  it('refuses incomplete decisions', async () => {
    const run = await edx(['receipt', '--for', letter, '--kind', 'registered', '--key', 'k', '--cert', 'c', '-o', join(dir, 'n.zip')], NOW);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--number and --date');
  });
});
