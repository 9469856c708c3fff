import { execFileSync } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { closeSync, constants as fsConstants, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_DEV_PARTICIPANTS_FILE,
  DEFAULT_VALIDATION_POLICY,
  initDevPki,
  loadDevParticipants,
  loadPrivateKeyPem,
  pemToDerList,
  signDetached,
  type DevParticipant,
} from '../crypto/index.ts';
import { packLetter, verifyContainer, type PackLetterInput, type SigningIdentity } from './index.ts';

// packLetter starts streaming the files into the container while it checks its inputs; these
// cases pin down that a bad source still gives FILE_UNREADABLE and leaves nothing behind.

const NOW = new Date('2026-11-25T09:00:00.000Z');
let dir: string;
let signer: SigningIdentity;
let root: Buffer;
let from: DevParticipant;
let to: DevParticipant;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'edx-pack-letter-'));
  const participants = await loadDevParticipants(DEFAULT_DEV_PARTICIPANTS_FILE);
  if (!participants.ok) throw new Error(participants.error.message);
  const [a, b] = participants.value;
  if (a === undefined || b === undefined) throw new Error('demo participants missing');
  from = a;
  to = b;
  const pki = await initDevPki({ dir: join(dir, 'pki'), participants: [a, b], now: new Date('2026-01-01T00:00:00Z') });
  const key = loadPrivateKeyPem(readFileSync(join(pki.dir, `${a.id}.key.pem`)));
  if (!key.ok) throw new Error(key.error.message);
  const [certificate] = pemToDerList(readFileSync(join(pki.dir, `${a.id}.cert.pem`)));
  const [rootDer] = pemToDerList(readFileSync(pki.rootCertPath));
  if (certificate === undefined || rootDer === undefined) throw new Error('pki unreadable');
  signer = { privateKey: key.value, certificate, chain: [] };
  root = rootDer;
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function input(outDir: string, files: PackLetterInput['files'], extra: Partial<PackLetterInput> = {}): PackLetterInput {
  return {
    outputPath: join(outDir, 'letter.zip'),
    messageId: randomUUID(),
    now: NOW,
    sender: { id: from.id, name: from.name, inn: from.inn, ogrn: from.ogrn },
    recipient: { id: to.id, name: to.name, inn: to.inn, ogrn: to.ogrn },
    document: { kind: 'letter', regNumber: '1', regDate: '2026-11-25', subject: 'test', signatory: { name: 'A', position: 'B' } },
    files,
    signer,
    ...extra,
  };
}

function freshDir(name: string): string {
  const d = join(dir, name);
  mkdirSync(d);
  return d;
}

describe('packLetter with unreadable sources', () => {
  it('packs readable files (the control: the cases below fail for their source alone)', async () => {
    const out = freshDir('ok');
    writeFileSync(join(out, 'a.pdf'), randomBytes(70_000));
    writeFileSync(join(out, 'b.txt'), 'attachment');
    const packed = await packLetter(input(out, [{ sourcePath: join(out, 'a.pdf') }, { sourcePath: join(out, 'b.txt') }]));
    expect(packed.ok).toBe(true);
    expect(readdirSync(out).sort()).toEqual(['a.pdf', 'b.txt', 'letter.zip']);
    const verified = await verifyContainer({
      containerPath: join(out, 'letter.zip'),
      trustAnchors: [{ certificate: root, qualified: true }],
      policy: { ...DEFAULT_VALIDATION_POLICY, revocation: 'skip' },
      now: NOW,
    });
    expect(verified.ok && verified.value.passed).toBe(true);
  });

  it.each([
    ['a missing first file', (d: string) => [join(d, 'missing.pdf'), join(d, 'b.txt')], 'missing.pdf'],
    ['a missing second file', (d: string) => [join(d, 'a.pdf'), join(d, 'missing.txt')], 'missing.txt'],
    ['a directory', (d: string) => [join(d, 'a.pdf'), join(d, 'sub')], 'sub'],
  ] as const)('%s: FILE_UNREADABLE naming it, and no output or temp file', async (label, sources, bad) => {
    const out = freshDir(label.replace(/\s+/gu, '-'));
    writeFileSync(join(out, 'a.pdf'), randomBytes(70_000));
    writeFileSync(join(out, 'b.txt'), 'attachment');
    mkdirSync(join(out, 'sub'));
    const before = readdirSync(out).sort();
    const packed = await packLetter(input(out, sources(out).map((sourcePath) => ({ sourcePath }))));
    expect(packed).toMatchObject({ ok: false, error: { code: 'FILE_UNREADABLE', path: join(out, bad) } });
    expect(readdirSync(out).sort()).toEqual(before);
  });

  it('a FIFO: FILE_UNREADABLE at once (its open does not wait for a writer), nothing left behind', async () => {
    const out = freshDir('fifo');
    execFileSync('mkfifo', [join(out, 'pipe.pdf')]);
    const before = readdirSync(out).sort();
    // Were the open waiting for a writer, this gives it one after a while, so that the test fails
    // instead of hanging the worker.
    let neededAWriter = false;
    const rescue = setTimeout(() => {
      neededAWriter = true;
      closeSync(openSync(join(out, 'pipe.pdf'), fsConstants.O_WRONLY | fsConstants.O_NONBLOCK));
    }, 10_000);
    const packed = await packLetter(input(out, [{ sourcePath: join(out, 'pipe.pdf') }]));
    clearTimeout(rescue);
    expect(neededAWriter).toBe(false);
    expect(packed).toMatchObject({ ok: false, error: { code: 'FILE_UNREADABLE', path: join(out, 'pipe.pdf') } });
    expect(readdirSync(out).sort()).toEqual(before);
  }, 30_000);

  it('with supplied signatures too (the inputs are then checked before anything is written)', async () => {
    const out = freshDir('supplied');
    const content = randomBytes(5_000);
    writeFileSync(join(out, 'a.pdf'), content);
    writeFileSync(
      join(out, 'a.pdf.p7s'),
      signDetached({ contentDigest: createHash('sha256').update(content).digest(), digestAlgorithm: 'sha-256', privateKey: signer.privateKey, certificate: signer.certificate, signingTime: NOW }),
    );
    const suppliedSignatures = [{ sourcePath: join(out, 'a.pdf.p7s') }];
    const good = await packLetter(input(out, [{ sourcePath: join(out, 'a.pdf') }], { suppliedSignatures }));
    expect(good.ok).toBe(true);
    rmSync(join(out, 'letter.zip'));
    rmSync(join(out, 'a.pdf'));
    const before = readdirSync(out).sort();
    const packed = await packLetter(input(out, [{ sourcePath: join(out, 'a.pdf') }], { suppliedSignatures }));
    expect(packed).toMatchObject({ ok: false, error: { code: 'FILE_UNREADABLE', path: join(out, 'a.pdf') } });
    expect(readdirSync(out).sort()).toEqual(before);
  });
});
