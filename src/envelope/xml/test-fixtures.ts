/**
 * Valid sample models, fast-check generators of valid models and an xmllint oracle, shared by
 * the tests of this folder. Test-only: nothing in the gateway imports it.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { completeInnLegalEntity, completeOgrn } from '../../identifiers/index.ts';
import { DOCUMENT_KINDS, RECEIPT_KINDS, type Envelope, type Party, type Receipt } from './model.ts';
import { PATH_PATTERN, UUID_PATTERN } from './schemas.ts';

export const SCHEMA_DIR = resolve(import.meta.dirname, '../../../schemas');
export const ENVELOPE_XSD = join(SCHEMA_DIR, 'envelope.xsd');
export const RECEIPT_XSD = join(SCHEMA_DIR, 'receipt.xsd');

export interface XmllintOutcome {
  valid: boolean;
  output: string;
}

/** Validates each document with `xmllint --schema` (libxml2), an oracle independent of our code. */
export function xmllint(xsd: string, documents: readonly Uint8Array[]): XmllintOutcome[] {
  const dir = mkdtempSync(join(tmpdir(), 'edx-xmllint-'));
  try {
    return documents.map((doc, i) => {
      const file = join(dir, `doc-${i}.xml`);
      writeFileSync(file, doc);
      const run = spawnSync('xmllint', ['--noout', '--nonet', '--schema', xsd, file], { encoding: 'utf8' });
      if (run.error !== undefined) throw run.error;
      return { valid: run.status === 0, output: `${run.stdout}${run.stderr}` };
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const SENDER: Party = {
  id: 'demo-refinery',
  name: 'ООО «Пермнефтеоргсинтез»',
  inn: completeInnLegalEntity('590000001'),
  ogrn: completeOgrn('102590000000'),
};
export const RECIPIENT: Party = { id: 'perm-minprom', name: 'Министерство промышленности Пермского края' };

export function sampleEnvelope(): Envelope {
  return {
    version: '1',
    messageId: '3f1c2a9e-5b7d-4c1e-9a2b-0d4e6f8a1b2c',
    createdAt: '2026-11-25T10:00:00.000Z',
    sender: SENDER,
    recipient: RECIPIENT,
    document: {
      kind: 'letter',
      regNumber: '01-15/007',
      regDate: '2026-11-25',
      subject: 'О поставках нефтепродуктов & <прочем>',
      signatory: { name: 'Иванов Иван Иванович', position: 'Генеральный директор' },
    },
    files: [
      {
        id: 'f1',
        role: 'main',
        name: 'Письмо.pdf',
        mediaType: 'application/pdf',
        size: 123456,
        digest: { algorithm: 'sha-256', value: Buffer.alloc(32, 7).toString('base64') },
        path: 'files/Письмо.pdf',
        signaturePaths: ['files/Письмо.pdf.p7s'],
      },
      {
        id: 'f2',
        role: 'attachment',
        name: 'Приложение 1.xlsx',
        mediaType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        size: 0,
        digest: { algorithm: 'sha-512', value: Buffer.alloc(64, 9).toString('base64') },
        path: 'files/Приложение 1.xlsx',
        signaturePaths: ['files/Приложение 1.xlsx.p7s', 'files/Приложение 1.xlsx.2.p7s'],
      },
    ],
  };
}

export function sampleReply(): Envelope {
  const e = sampleEnvelope();
  return {
    ...e,
    messageId: '8d0c6b1e-2f4a-4b7c-8e9d-1a2b3c4d5e6f',
    sender: RECIPIENT,
    recipient: SENDER,
    document: {
      ...e.document,
      kind: 'reply',
      inReplyTo: e.messageId,
      responseDue: '2026-12-05',
    },
  };
}

export function sampleReceipt(kind: Receipt['kind']): Receipt {
  const base: Receipt = {
    version: '1',
    receiptId: '0b5e7c3a-9d1f-4e2a-b6c8-7f0a1d2e3b4c',
    kind,
    messageId: '3f1c2a9e-5b7d-4c1e-9a2b-0d4e6f8a1b2c',
    envelopeDigest: { algorithm: 'sha-256', value: Buffer.alloc(32, 1).toString('base64') },
    issuer: RECIPIENT,
    issuedAt: '2026-11-25T10:05:00.123Z',
  };
  if (kind === 'registered') return { ...base, registration: { number: 'Вх-2026/1234', date: '2026-11-25' } };
  if (kind === 'refused' || kind === 'rejected' || kind === 'not-delivered') {
    return { ...base, reason: { code: 'WRONG-ADDRESSEE', text: 'Вопрос не относится к компетенции министерства' } };
  }
  return base;
}

// Characters that stress escaping and encoding: Cyrillic, XML specials, astral, spaces.
const CHARS = [...'abcXYZ019 АбвЖЯёЁ№«»—<&>"\'=;/.-_😀€'];
const singleChar = fc.constantFrom(...CHARS);

function singleLine(maxLength: number): fc.Arbitrary<string> {
  return fc
    .string({ unit: singleChar, minLength: 1, maxLength })
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** Free text keeps leading/trailing spaces, tabs and line feeds; it only must not be blank. */
function freeText(maxLength: number): fc.Arbitrary<string> {
  return fc
    .string({ unit: fc.oneof(singleChar, fc.constantFrom(' ', '\n', '\t')), minLength: 1, maxLength })
    .filter((s) => s.trim().length > 0);
}

const uuid = fc.uuid().filter((u) => UUID_PATTERN.test(u));
const timestamp = fc
  .date({ min: new Date('1990-01-01T00:00:00.000Z'), max: new Date('2099-12-31T23:59:59.999Z'), noInvalidDate: true })
  .map((d) => d.toISOString());
const date = timestamp.map((t) => t.slice(0, 10));
const digits = (n: number): fc.Arbitrary<string> => fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: n, maxLength: n });
const token = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,20}$/);

const party: fc.Arbitrary<Party> = fc.record(
  {
    id: token,
    name: singleLine(40),
    inn: digits(9).map(completeInnLegalEntity),
    ogrn: digits(12).map(completeOgrn),
  },
  { noNullPrototype: true, requiredKeys: ['id', 'name'] },
);

const DIGEST_BYTES = { 'sha-256': 32, 'sha-384': 48, 'sha-512': 64 } as const;
const digest = fc.constantFrom('sha-256', 'sha-384', 'sha-512').chain((algorithm) =>
  fc
    .uint8Array({ minLength: DIGEST_BYTES[algorithm], maxLength: DIGEST_BYTES[algorithm] })
    .map((bytes) => ({ algorithm, value: Buffer.from(bytes).toString('base64') })),
);

const segment = singleLine(12)
  .map((s) => s.replaceAll('/', '_'))
  .filter((s) => PATH_PATTERN.test(s));

const file = fc.record({
  name: singleLine(30),
  mediaType: fc.constantFrom('application/pdf', 'text/plain', 'application/vnd.ms-excel', 'image/png'),
  size: fc.maxSafeNat(),
  digest,
  segment,
  signatures: fc.integer({ min: 1, max: 3 }),
});

export const envelopeArbitrary: fc.Arbitrary<Envelope> = fc
  .record({
    messageId: uuid,
    createdAt: timestamp,
    sender: party,
    recipient: party,
    document: fc.record(
      {
        kind: fc.constantFrom(...DOCUMENT_KINDS),
        regNumber: singleLine(20),
        regDate: date,
        subject: freeText(80),
        signatory: fc.record({ name: singleLine(30), position: singleLine(30) }, { noNullPrototype: true }),
        inReplyTo: uuid,
        responseDue: date,
      },
      { noNullPrototype: true, requiredKeys: ['kind', 'regNumber', 'regDate', 'subject', 'signatory'] },
    ),
    files: fc.array(file, { minLength: 1, maxLength: 4 }),
    mainIndex: fc.nat(),
  })
  .map(({ files, mainIndex, ...rest }) => ({
    version: '1' as const,
    ...rest,
    files: files.map((f, i) => {
      // Index prefixes keep names and paths unique, as the container writer does.
      const path = `files/${i + 1}-${f.segment}`;
      return {
        id: `f${i + 1}`,
        role: i === mainIndex % files.length ? ('main' as const) : ('attachment' as const),
        name: `${i + 1} ${f.name}`,
        mediaType: f.mediaType,
        size: f.size,
        digest: f.digest,
        path,
        signaturePaths: Array.from({ length: f.signatures }, (_, k) => (k === 0 ? `${path}.p7s` : `${path}.${k + 1}.p7s`)),
      };
    }),
  }));

export const receiptArbitrary: fc.Arbitrary<Receipt> = fc
  .record({
    receiptId: uuid,
    kind: fc.constantFrom(...RECEIPT_KINDS),
    messageId: uuid,
    envelopeDigest: digest,
    issuer: party,
    issuedAt: timestamp,
    registration: fc.record({ number: singleLine(20), date }, { noNullPrototype: true }),
    reason: fc.record({ code: token, text: freeText(60) }, { noNullPrototype: true }),
    withReason: fc.boolean(),
  })
  .map(({ registration, reason, withReason, ...rest }): Receipt => {
    const base: Receipt = { version: '1', ...rest };
    if (rest.kind === 'registered') return { ...base, registration };
    if (rest.kind === 'refused' || rest.kind === 'rejected') return { ...base, reason };
    if (rest.kind === 'not-delivered' && withReason) return { ...base, reason };
    return base;
  });
