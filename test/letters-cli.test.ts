/**
 * The offline round trip through the `edx` CLI, judged by independent tools: every signature we
 * write verifies with `openssl cms -verify`, every XML validates with `xmllint --schema`, and
 * signatures made by `openssl cms -sign` verify in `edx verify`. Then the negative cases.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_DEV_PARTICIPANTS_FILE,
  loadDevParticipants,
  type DevParticipant,
} from '../src/crypto/index.ts';
import type { ContainerVerification } from '../src/letters/index.ts';
import { edx } from './helpers/cli.ts';
import { extractAll, flipByte, readAllEntries } from './helpers/containers.ts';
import { opensslVerifyDetached, tool, xmllintSchema } from './helpers/tools.ts';

const SCHEMAS = resolve(import.meta.dirname, '..', 'schemas');
const NOW = new Date('2026-11-25T09:00:00Z');

let dir: string;
let pki: string;
let otherPki: string;
let sender: DevParticipant;
let recipient: DevParticipant;
let letter: string;
let attachment: string;
let container: string;

function keyOf(id: string): string {
  return join(pki, `${id}.key.pem`);
}
function certOf(id: string): string {
  return join(pki, `${id}.cert.pem`);
}

function packArgs(extra: { from?: string; to?: string; key?: string; cert?: string; out: string; files?: string[]; signatures?: string[] }): string[] {
  const from = extra.from ?? sender.id;
  return [
    'pack',
    '--from', from,
    '--to', extra.to ?? recipient.id,
    '--kind', 'letter',
    '--reg-number', '01-15/2318',
    '--reg-date', '2026-11-24',
    '--subject', 'О согласовании графика поставок & <тест> "кавычки"',
    '--signatory-name', 'Иванов Иван Иванович',
    '--signatory-position', 'Генеральный директор',
    ...(extra.files ?? [letter, attachment]).flatMap((f) => ['--file', f]),
    ...(extra.signatures ?? []).flatMap((s) => ['--signature', s]),
    '--key', extra.key ?? keyOf(from),
    '--cert', extra.cert ?? certOf(from),
    '-o', extra.out,
  ];
}

async function verifyJson(path: string, options: { revocation?: boolean; trust?: string; now?: Date } = {}): Promise<{ code: number; result: ContainerVerification }> {
  const args = ['verify', path, '--qualified-trust', options.trust ?? join(pki, 'root.pem'), '--json'];
  if (options.revocation !== true) args.push('--no-revocation');
  const run = await edx(args, options.now ?? NOW);
  expect(run.stderr).toBe('');
  return { code: run.code, result: JSON.parse(run.stdout) as ContainerVerification };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'edx-cli-'));
  pki = join(dir, 'pki');
  otherPki = join(dir, 'other-pki');
  const participants = await loadDevParticipants(DEFAULT_DEV_PARTICIPANTS_FILE);
  if (!participants.ok) throw new Error(participants.error.message);
  const [first, second] = participants.value;
  if (first === undefined || second === undefined) throw new Error('the demo directory needs two participants');
  sender = first;
  recipient = second;
  expect((await edx(['pki', 'init', '--dir', pki], NOW)).code).toBe(0);
  expect((await edx(['pki', 'init', '--dir', otherPki], NOW)).code).toBe(0);
  letter = join(dir, 'Письмо о поставках.pdf');
  attachment = join(dir, 'attachment.xlsx');
  await writeFile(letter, Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(200_000)]));
  await writeFile(attachment, randomBytes(30_000));
  container = join(dir, 'letter.zip');
  const packed = await edx(packArgs({ out: container }), NOW);
  expect(packed.stderr).not.toContain('error');
  expect(packed.code).toBe(0);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('a letter packed by edx', () => {
  it('has every signature verified by openssl cms -verify and its envelope valid for xmllint', async () => {
    const out = join(dir, 'extracted');
    const paths = await extractAll(container, out);
    const names = [...paths.keys()].sort();
    expect(names).toContain('envelope.xml');
    expect(names).toContain('envelope.xml.p7s');
    const signatures = names.filter((n) => n.endsWith('.p7s'));
    expect(signatures.length).toBe(3); // envelope + two files
    for (const sig of signatures) {
      const content = paths.get(sig.replace(/\.p7s$/u, ''));
      const sigPath = paths.get(sig);
      if (content === undefined || sigPath === undefined) throw new Error(`no content for ${sig}`);
      const r = opensslVerifyDetached(sigPath, content, join(pki, 'root.pem'));
      expect(r.stderr, sig).toContain('Verification successful');
      expect(r.status, sig).toBe(0);
    }
    const lint = xmllintSchema(join(SCHEMAS, 'envelope.xsd'), [paths.get('envelope.xml') ?? '']);
    expect(lint.stderr).toContain('validates');
    expect(lint.status).toBe(0);
    // The oracle can fail: a tampered signature is rejected by openssl too.
    const bad = join(dir, 'bad.p7s');
    await writeFile(bad, flipByte(await readFile(paths.get('envelope.xml.p7s') ?? ''), -1));
    expect(opensslVerifyDetached(bad, paths.get('envelope.xml') ?? '', join(pki, 'root.pem')).status).not.toBe(0);
  });

  it('verifies TOTAL-PASSED and qualified with revocation explicitly skipped', async () => {
    const { code, result } = await verifyJson(container);
    expect(result.findings).toEqual([]);
    expect(code).toBe(0);
    expect(result.passed).toBe(true);
    expect(result.kind).toBe('letter');
    const reports = result.signatures.flatMap((s) => s.reports);
    expect(reports).toHaveLength(3);
    for (const r of reports) {
      expect(r.indication).toBe('TOTAL-PASSED');
      expect(r.qualification).toBe('qualified');
      expect(r.revocation.checked).toBe(false);
      expect(r.signedBy?.ogrn).toBe(sender.ogrn);
    }
    const human = await edx(['verify', container, '--qualified-trust', join(pki, 'root.pem'), '--no-revocation'], NOW);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain('TOTAL-PASSED');
    expect(human.stdout).toContain('NOT checked');
  });

  it('is INDETERMINATE / TRY_LATER when revocation is required but cannot be checked', async () => {
    const { code, result } = await verifyJson(container, { revocation: true });
    expect(code).toBe(1);
    for (const r of result.signatures.flatMap((s) => s.reports)) {
      expect(r.indication).toBe('INDETERMINATE');
      expect(r.subIndication).toBe('TRY_LATER');
    }
  });

  it('is not qualified under a non-qualified anchor, but still passes as advanced', async () => {
    const run = await edx(['verify', container, '--trust', join(pki, 'root.pem'), '--no-revocation', '--json'], NOW);
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as ContainerVerification;
    for (const r of result.signatures.flatMap((s) => s.reports)) expect(r.qualification).toBe('advanced');
  });

  it('runs through the installed bin script as well', () => {
    const r = tool('node', [resolve(import.meta.dirname, '..', 'bin', 'edx.js'), 'verify', container, '--qualified-trust', join(pki, 'root.pem'), '--no-revocation']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('RESULT: every signature TOTAL-PASSED');
  });
});

describe('signatures made by openssl cms -sign', () => {
  it('are packed as supplied and verify in edx verify', async () => {
    const sigLetter = join(dir, `${letter.split('/').pop() ?? ''}.p7s`);
    const sigAttachment = join(dir, 'attachment.xlsx.p7s');
    for (const [file, sig] of [[letter, sigLetter], [attachment, sigAttachment]] as const) {
      const r = tool('openssl', ['cms', '-sign', '-binary', '-outform', 'DER', '-cades', '-md', 'sha256', '-in', file, '-signer', certOf(sender.id), '-inkey', keyOf(sender.id), '-out', sig]);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
    }
    const out = join(dir, 'supplied.zip');
    const packed = await edx(packArgs({ out, signatures: [sigLetter, sigAttachment] }), NOW);
    expect(packed.stderr).not.toMatch(/SIGNATURE_/u);
    expect(packed.code).toBe(0);
    const entries = await readAllEntries(out);
    const sigBytes = await readFile(sigLetter);
    expect([...entries.values()].some((b) => b.equals(sigBytes))).toBe(true);
    // openssl stamped the real clock as signingTime, so verify at the real clock too.
    const { code, result } = await verifyJson(out, { now: new Date() });
    expect(result.findings).toEqual([]);
    expect(code).toBe(0);
  });

  it('are refused at packing when they sign other bytes', async () => {
    const sig = join(dir, 'wrong.p7s');
    tool('openssl', ['cms', '-sign', '-binary', '-outform', 'DER', '-cades', '-in', attachment, '-signer', certOf(sender.id), '-inkey', keyOf(sender.id), '-out', sig]);
    const renamed = join(dir, `${letter.split('/').pop() ?? ''}.p7s`);
    await writeFile(renamed, await readFile(sig));
    const attSig = join(dir, 'attachment.xlsx.p7s');
    const run = await edx(packArgs({ out: join(dir, 'never.zip'), signatures: [renamed, attSig] }), NOW);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('SIGNATURE_DOES_NOT_MATCH_FILE');
    await expect(readFile(join(dir, 'never.zip'))).rejects.toThrow();
  });
});
