/**
 * The envelope and receipt models (SPEC §2–3): what `envelope.xml` and `receipt.xml` carry.
 * These are plain data; `schemas.ts` holds the rules a value must satisfy.
 */
import type { DigestAlgorithm } from '../../crypto/digest.ts';

export const DOCUMENT_KINDS = ['letter', 'reply', 'appeal', 'request', 'notice'] as const;
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];

export const FILE_ROLES = ['main', 'attachment'] as const;
export type FileRole = (typeof FILE_ROLES)[number];

export const RECEIPT_KINDS = ['accepted', 'rejected', 'delivered', 'not-delivered', 'registered', 'refused'] as const;
export type ReceiptKind = (typeof RECEIPT_KINDS)[number];

/** Default namespace of envelope.xml; the trailing number is the format version. */
export const ENVELOPE_NAMESPACE = 'urn:edx-gateway:envelope:1';
/** Default namespace of receipt.xml. */
export const RECEIPT_NAMESPACE = 'urn:edx-gateway:receipt:1';

/** An organisation as named in a document: directory id, name and state registration numbers. */
export interface Party {
  id: string;
  name: string;
  inn?: string;
  ogrn?: string;
}

export interface Digest {
  algorithm: DigestAlgorithm;
  /** Standard base64 (RFC 4648 §4) of the raw digest bytes. */
  value: string;
}

export interface EnvelopeFile {
  id: string;
  role: FileRole;
  /** The name the sender gave the file (may differ from the container path). */
  name: string;
  mediaType: string;
  size: number;
  digest: Digest;
  /** Container path of the file. */
  path: string;
  /** Container paths of the file's detached signatures; at least one. */
  signaturePaths: string[];
}

export interface EnvelopeDocument {
  kind: DocumentKind;
  regNumber: string;
  /** YYYY-MM-DD */
  regDate: string;
  subject: string;
  signatory: { name: string; position: string };
  /** messageId (UUID) of the letter this one answers. */
  inReplyTo?: string;
  /** YYYY-MM-DD */
  responseDue?: string;
}

export interface Envelope {
  version: '1';
  /** Lower-case canonical UUID. */
  messageId: string;
  /** ISO 8601 UTC with milliseconds, as `Date.prototype.toISOString` writes it. */
  createdAt: string;
  sender: Party;
  recipient: Party;
  document: EnvelopeDocument;
  files: EnvelopeFile[];
}

export interface Receipt {
  version: '1';
  receiptId: string;
  kind: ReceiptKind;
  messageId: string;
  /** Digest of the exact envelope.xml bytes the receipt is about. */
  envelopeDigest: Digest;
  issuer: Party;
  /** ISO 8601 UTC with milliseconds. */
  issuedAt: string;
  /** Required iff kind is `registered`. */
  registration?: { number: string; date: string };
  /** Required iff kind is `refused` or `rejected`; optional for `not-delivered`. */
  reason?: { code: string; text: string };
}
