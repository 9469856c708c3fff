/**
 * zod schemas for the envelope and receipt models: the rules every value must satisfy before it
 * is written and after it is parsed. They are at least as strict as `schemas/*.xsd`, so anything
 * they accept also validates against the XSD.
 */
import { z } from 'zod';
import { DIGEST_ALGORITHMS, type DigestAlgorithm } from '../../crypto/digest.ts';
import { isValidInn, isValidOgrnAny } from '../../identifiers/index.ts';
import { DOCUMENT_KINDS, FILE_ROLES, RECEIPT_KINDS, type Envelope, type Receipt } from './model.ts';

export const LIMITS = {
  subject: 2000,
  name: 1000,
  regNumber: 100,
  id: 100,
  mediaType: 255,
  path: 1000,
  reasonCode: 100,
  reasonText: 2000,
  files: 1000,
  signaturesPerFile: 100,
} as const;

/** Base64 length of each digest: 32, 48 and 64 bytes (Streebog-256/512: 32 and 64, RFC 6986). */
export const DIGEST_BASE64_LENGTH = {
  'sha-256': 44,
  'sha-384': 64,
  'sha-512': 88,
  'streebog-256': 44,
  'streebog-512': 88,
} as const satisfies Record<DigestAlgorithm, number>;

export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/u;
export const DATE_PATTERN = /^[1-9]\d{3}-\d{2}-\d{2}$/u;
export const TIMESTAMP_PATTERN = /^[1-9]\d{3}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/u;
/** Directory and file ids: a token safe in URLs, logs and XML attributes. */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/u;
/** type/subtype, RFC 6838 §4.2 restricted names, without parameters. */
export const MEDIA_TYPE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*$/u;
/**
 * A relative container path: non-empty '/'-separated segments, none of them '.' or '..', no
 * backslash or control character. The same expression is in the XSD (no lookahead there).
 */
const SEGMENT = String.raw`(?:[^/\\.\p{Cc}][^/\\\p{Cc}]*|\.[^/\\.\p{Cc}][^/\\\p{Cc}]*|\.\.[^/\\\p{Cc}]+)`;
export const PATH_PATTERN = new RegExp(`^${SEGMENT}(?:/${SEGMENT})*$`, 'u');
export const REASON_CODE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/u;

// XML 1.0 §2.2 Char excludes these; a lone surrogate cannot be encoded as UTF-8 at all.
const NOT_XML_CHAR = /[\p{Cs}\uFFFE\uFFFF]/u;
// Carriage returns are normalised away by every XML parser (§2.11), so they cannot round-trip.
const CONTROL_MULTILINE = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/u;
const CONTROL_SINGLE_LINE = /\p{Cc}/u;

function codePointLength(s: string): number {
  let n = 0;
  for (const _ of s) n += 1;
  return n;
}

interface TextOptions {
  max: number;
  /** Allows line feeds and tabs, and leading/trailing whitespace (free text is kept verbatim). */
  freeText?: boolean;
  pattern?: RegExp;
  patternMessage?: string;
}

/** A non-blank string of at most `max` characters (code points, as XSD counts them). */
function text(options: TextOptions): z.ZodString {
  let s = z
    .string()
    .refine((v) => v.trim().length > 0, { message: 'must not be empty or blank' })
    .refine((v) => codePointLength(v) <= options.max, { message: `must be at most ${options.max} characters` })
    .refine((v) => !NOT_XML_CHAR.test(v), { message: 'contains a character XML cannot carry' });
  if (options.freeText === true) {
    s = s.refine((v) => !CONTROL_MULTILINE.test(v), { message: 'contains a control character' });
  } else {
    s = s
      .refine((v) => !CONTROL_SINGLE_LINE.test(v), { message: 'contains a control character' })
      .refine((v) => v === v.trim(), { message: 'must not have leading or trailing whitespace' });
  }
  const pattern = options.pattern;
  if (pattern !== undefined) {
    s = s.refine((v) => pattern.test(v), { message: options.patternMessage ?? 'has the wrong format' });
  }
  return s;
}

function isCalendarDate(v: string): boolean {
  if (!DATE_PATTERN.test(v)) return false;
  const d = new Date(`${v}T00:00:00.000Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === v;
}

function isTimestamp(v: string): boolean {
  if (!TIMESTAMP_PATTERN.test(v)) return false;
  const d = new Date(v);
  return !Number.isNaN(d.getTime()) && d.toISOString() === v;
}

const uuidSchema = z.string().regex(UUID_PATTERN, { message: 'must be a lower-case canonical UUID' });
const dateSchema = z.string().refine(isCalendarDate, { message: 'must be a real calendar date YYYY-MM-DD' });
const timestampSchema = z
  .string()
  .refine(isTimestamp, { message: 'must be an ISO 8601 UTC timestamp with milliseconds (YYYY-MM-DDTHH:mm:ss.sssZ)' });
const idSchema = text({ max: LIMITS.id, pattern: ID_PATTERN, patternMessage: 'must be a token of letters, digits and ._:-' });
const pathSchema = text({
  max: LIMITS.path,
  pattern: PATH_PATTERN,
  patternMessage: "must be a relative '/'-separated path without '.' or '..' segments or backslashes",
});

export const digestSchema = z
  .object({
    algorithm: z.enum(DIGEST_ALGORITHMS),
    value: z.string(),
  })
  .superRefine((d, ctx) => {
    const expected = DIGEST_BASE64_LENGTH[d.algorithm];
    const canonical = /^[A-Za-z0-9+/]*={0,2}$/u.test(d.value) && Buffer.from(d.value, 'base64').toString('base64') === d.value;
    if (!canonical || d.value.length !== expected) {
      ctx.addIssue({
        code: 'custom',
        path: ['value'],
        message: `must be canonical base64 of a ${d.algorithm} digest (${expected} characters)`,
      });
    }
  });

export const partySchema = z.object({
  id: idSchema,
  name: text({ max: LIMITS.name }),
  inn: z
    .string()
    .refine(isValidInn, { message: 'must be a 10- or 12-digit INN with valid check digits' })
    .exactOptional(),
  ogrn: z
    .string()
    .refine(isValidOgrnAny, { message: 'must be a 13-digit OGRN or 15-digit OGRNIP with a valid check digit' })
    .exactOptional(),
});

export const envelopeFileSchema = z.object({
  id: idSchema,
  role: z.enum(FILE_ROLES),
  name: text({ max: LIMITS.name }),
  mediaType: text({ max: LIMITS.mediaType, pattern: MEDIA_TYPE_PATTERN, patternMessage: 'must be a type/subtype media type' }),
  size: z.number().int().nonnegative().refine(Number.isSafeInteger, { message: 'must be a safe integer' }),
  digest: digestSchema,
  path: pathSchema,
  signaturePaths: z.array(pathSchema).min(1).max(LIMITS.signaturesPerFile),
});

export const envelopeDocumentSchema = z.object({
  kind: z.enum(DOCUMENT_KINDS),
  regNumber: text({ max: LIMITS.regNumber }),
  regDate: dateSchema,
  subject: text({ max: LIMITS.subject, freeText: true }),
  signatory: z.object({
    name: text({ max: LIMITS.name }),
    position: text({ max: LIMITS.name }),
  }),
  inReplyTo: uuidSchema.exactOptional(),
  responseDue: dateSchema.exactOptional(),
});

function firstDuplicate(values: readonly string[]): number {
  const seen = new Set<string>();
  for (let i = 0; i < values.length; i += 1) {
    const v = values[i] ?? '';
    if (seen.has(v)) return i;
    seen.add(v);
  }
  return -1;
}

export const envelopeSchema: z.ZodType<Envelope> = z
  .object({
    version: z.literal('1'),
    messageId: uuidSchema,
    createdAt: timestampSchema,
    sender: partySchema,
    recipient: partySchema,
    document: envelopeDocumentSchema,
    files: z.array(envelopeFileSchema).min(1).max(LIMITS.files),
  })
  .superRefine((e, ctx) => {
    const mains = e.files.filter((f) => f.role === 'main').length;
    if (mains !== 1) {
      ctx.addIssue({ code: 'custom', path: ['files'], message: `must have exactly one main file, found ${mains}` });
    }
    for (const key of ['id', 'path', 'name'] as const) {
      const i = firstDuplicate(e.files.map((f) => f[key]));
      if (i >= 0) ctx.addIssue({ code: 'custom', path: ['files', i, key], message: `duplicate file ${key}` });
    }
    const filePaths = new Set(e.files.map((f) => f.path));
    const signaturePaths = new Set<string>();
    e.files.forEach((f, i) => {
      f.signaturePaths.forEach((p, k) => {
        if (filePaths.has(p)) {
          ctx.addIssue({ code: 'custom', path: ['files', i, 'signaturePaths', k], message: 'is also a file path' });
        } else if (signaturePaths.has(p)) {
          ctx.addIssue({ code: 'custom', path: ['files', i, 'signaturePaths', k], message: 'duplicate signature path' });
        }
        signaturePaths.add(p);
      });
    });
  });

export const receiptSchema: z.ZodType<Receipt> = z
  .object({
    version: z.literal('1'),
    receiptId: uuidSchema,
    kind: z.enum(RECEIPT_KINDS),
    messageId: uuidSchema,
    envelopeDigest: digestSchema,
    issuer: partySchema,
    issuedAt: timestampSchema,
    registration: z
      .object({
        number: text({ max: LIMITS.regNumber }),
        date: dateSchema,
      })
      .exactOptional(),
    reason: z
      .object({
        code: text({ max: LIMITS.reasonCode, pattern: REASON_CODE_PATTERN, patternMessage: 'must be a token of letters, digits and ._:-' }),
        text: text({ max: LIMITS.reasonText, freeText: true }),
      })
      .exactOptional(),
  })
  .superRefine((r, ctx) => {
    const registered = r.kind === 'registered';
    if (registered && r.registration === undefined) {
      ctx.addIssue({ code: 'custom', path: ['registration'], message: 'is required for a registered receipt' });
    }
    if (!registered && r.registration !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['registration'], message: `is not allowed for a ${r.kind} receipt` });
    }
    const needsReason = r.kind === 'refused' || r.kind === 'rejected';
    const mayHaveReason = needsReason || r.kind === 'not-delivered';
    if (needsReason && r.reason === undefined) {
      ctx.addIssue({ code: 'custom', path: ['reason'], message: `is required for a ${r.kind} receipt` });
    }
    if (!mayHaveReason && r.reason !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['reason'], message: `is not allowed for a ${r.kind} receipt` });
    }
  });

/** "sender.inn: must be ..." for the first issue of a failed parse. */
export function describeFirstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (issue === undefined) return 'invalid';
  const path = issue.path.map(String).join('.');
  return `${path === '' ? '(root)' : path}: ${issue.message}`;
}
