import {
  digestBytes,
  inspectSignature,
  verifyDetachedAsync,
  type DigestAlgorithm,
  type ValidationReport,
  type VerifyDetachedInput,
} from '../crypto/index.ts';
import {
  openContainer,
  parseEnvelopeXml,
  parseReceiptXml,
  type ContainerReader,
  type Envelope,
  type Party,
  type Receipt,
} from '../envelope/index.ts';
import {
  ENVELOPE_ENTRY,
  ENVELOPE_SIGNATURE_ENTRY,
  MAX_SIGNATURE_BYTES,
  MAX_XML_BYTES,
  RECEIPT_ENTRY,
  RECEIPT_SIGNATURE_ENTRY,
} from './container-layout.ts';
import { timestampCoversSignature } from '../crypto/cms/index.ts';
import { signatureValuesOf } from '../crypto/timestamp/index.ts';
import type { LetterResult } from './types.ts';

/** A problem with the container as a whole, beside the per-signature reports. */
export interface ContainerFinding {
  code:
    | 'FILE_MISSING'
    | 'FILE_UNLISTED'
    | 'FILE_SIZE_MISMATCH'
    | 'FILE_DIGEST_MISMATCH'
    | 'FILE_UNREADABLE'
    | 'SIGNATURE_MISSING'
    | 'SIGNATURE_UNREADABLE'
    | 'SIGNER_NOT_SENDER';
  message: string;
  path?: string;
}

export interface SignatureVerification {
  /** Container path of the .p7s. */
  path: string;
  /** `transport` signs envelope.xml / receipt.xml; `document` signs one of the letter's files. */
  role: 'transport' | 'document';
  fileId?: string;
  fileName?: string;
  reports: ValidationReport[];
}

export type ContainerVerification =
  // envelopeDigest / receiptDigest: SHA-256 (base64) of the exact envelope.xml / receipt.xml bytes.
  | { kind: 'letter'; envelope: Envelope; envelopeDigest: string; signatures: SignatureVerification[]; findings: ContainerFinding[]; passed: boolean }
  | { kind: 'receipt'; receipt: Receipt; receiptDigest: string; signatures: SignatureVerification[]; findings: ContainerFinding[]; passed: boolean };

/**
 * The validation inputs of verifyDetached for every signature of the container (trust anchors,
 * policy, validation time, revocation sources, TSA anchors, detached signature time-stamps: a token
 * that covers no signature of the container is ignored with a warning in every report).
 */
export interface VerifyContainerInput extends Pick<VerifyDetachedInput, 'trustAnchors' | 'policy' | 'now' | 'revocation' | 'timestampTrustAnchors' | 'signatureTimestamps'> {
  containerPath: string;
}

/**
 * Verifies a letter or receipt container completely (SPEC §3–4): every entry is accounted for,
 * every file's size and digest match the envelope, every signature gets a validation report, and
 * every signer belongs to the organisation that claims to send. Files are streamed once each
 * (twice only when a signature uses a digest algorithm other than the envelope's).
 * `ok: false` only when the input is not a container we can read at all (CLI exit 2); otherwise
 * `passed` tells whether everything holds.
 */
export async function verifyContainer(input: VerifyContainerInput): Promise<LetterResult<ContainerVerification>> {
  const opened = await openContainer({ path: input.containerPath });
  if (!opened.ok) {
    return { ok: false, error: { code: 'CONTAINER_UNREADABLE', message: `${opened.error.code}: ${opened.error.message}` } };
  }
  const reader = opened.value;
  const tokens = routeTimestamps(input.signatureTimestamps ?? []);
  try {
    if (reader.entries.has(ENVELOPE_ENTRY)) return tokens.warnUnused(await verifyLetter(reader, { ...input, tokens }));
    if (reader.entries.has(RECEIPT_ENTRY)) return tokens.warnUnused(await verifyReceipt(reader, { ...input, tokens }));
    return {
      ok: false,
      error: { code: 'CONTAINER_NOT_RECOGNISED', message: `neither ${ENVELOPE_ENTRY} nor ${RECEIPT_ENTRY} is in the container` },
    };
  } finally {
    await reader.close();
  }
}

/** Hands each detached time-stamp token to the signatures it covers, and remembers which were used. */
interface TimestampRouter {
  forSignature(der: Buffer): Uint8Array[];
  warnUnused(result: LetterResult<ContainerVerification>): LetterResult<ContainerVerification>;
}

function routeTimestamps(all: readonly Uint8Array[]): TimestampRouter {
  const used = new Set<number>();
  return {
    forSignature(der) {
      if (all.length === 0) return [];
      const values = signatureValuesOf(der);
      if (!values.ok) return [];
      const mine = all.map((t, i) => ({ t, i })).filter(({ t }) => values.value.some((v) => timestampCoversSignature(t, v)));
      for (const { i } of mine) used.add(i);
      return mine.map(({ t }) => t);
    },
    warnUnused(result) {
      const unused = all.map((_, i) => i).filter((i) => !used.has(i));
      if (!result.ok || unused.length === 0) return result;
      const warning = `detached time-stamp token(s) ${unused.map((i) => i + 1).join(', ')} cover no signature of this container and were ignored`;
      for (const s of result.value.signatures) for (const r of s.reports) r.warnings.push(warning);
      return result;
    },
  };
}

type RoutedInput = VerifyContainerInput & { tokens: TimestampRouter };

async function verifyLetter(reader: ContainerReader, input: RoutedInput): Promise<LetterResult<ContainerVerification>> {
  // The transport signature is read while envelope.xml is: one disk round trip instead of two.
  const transportPrefetch = reader.entries.has(ENVELOPE_SIGNATURE_ENTRY) ? reader.readEntry(ENVELOPE_SIGNATURE_ENTRY, MAX_SIGNATURE_BYTES) : undefined;
  transportPrefetch?.catch(() => undefined);
  const xml = await reader.readEntry(ENVELOPE_ENTRY, MAX_XML_BYTES);
  if (!xml.ok) return { ok: false, error: { code: 'ENVELOPE_INVALID', message: `${xml.error.code}: ${xml.error.message}` } };
  const parsed = parseEnvelopeXml(xml.value);
  if (!parsed.ok) return { ok: false, error: { code: 'ENVELOPE_INVALID', message: `${parsed.error.code}: ${parsed.error.message}` } };
  const envelope = parsed.value;
  const findings: ContainerFinding[] = [];
  const signatures: SignatureVerification[] = [];

  const listed = new Set<string>([ENVELOPE_ENTRY, ENVELOPE_SIGNATURE_ENTRY]);
  for (const f of envelope.files) {
    listed.add(f.path);
    for (const p of f.signaturePaths) listed.add(p);
  }
  for (const path of reader.entries.keys()) {
    if (!listed.has(path)) findings.push({ code: 'FILE_UNLISTED', message: `${path} is in the container but not in the envelope`, path });
  }

  // Transport signature over the exact envelope bytes.
  const transport = await verifySignatureEntry(reader, ENVELOPE_SIGNATURE_ENTRY, xml.value, input, findings, transportPrefetch);
  if (transport !== undefined) signatures.push({ path: ENVELOPE_SIGNATURE_ENTRY, role: 'transport', reports: transport });

  for (const file of envelope.files) {
    if (!reader.entries.has(file.path)) {
      findings.push({ code: 'FILE_MISSING', message: `${file.name} (${file.path}) is listed in the envelope but missing`, path: file.path });
      continue;
    }
    // The file is digested with the envelope's algorithm while its signatures are read; only a
    // signature that uses another algorithm costs a second pass (signers almost always match).
    const speculative = reader.digestEntry(file.path, [file.digest.algorithm]);
    speculative.catch(() => undefined);
    const sigs: { path: string; der: Buffer; algorithms: DigestAlgorithm[] }[] = [];
    for (const sigPath of file.signaturePaths) {
      const loaded = await loadSignature(reader, sigPath, findings);
      if (loaded !== undefined) sigs.push({ path: sigPath, ...loaded });
    }
    const algorithms = [...new Set<DigestAlgorithm>([file.digest.algorithm, ...sigs.flatMap((s) => s.algorithms)])];
    const first = await speculative;
    const digested = algorithms.length === 1 || !first.ok ? first : await reader.digestEntry(file.path, algorithms);
    if (!digested.ok) {
      findings.push({ code: 'FILE_UNREADABLE', message: `${file.path}: ${digested.error.code}: ${digested.error.message}`, path: file.path });
      continue;
    }
    if (digested.value.size !== file.size) {
      findings.push({ code: 'FILE_SIZE_MISMATCH', message: `${file.name}: envelope says ${file.size} bytes, container has ${digested.value.size}`, path: file.path });
    }
    const actual = digested.value.digests[file.digest.algorithm];
    if (actual === undefined || actual.toString('base64') !== file.digest.value) {
      findings.push({ code: 'FILE_DIGEST_MISMATCH', message: `${file.name}: its ${file.digest.algorithm} digest differs from the envelope's`, path: file.path });
    }
    for (const s of sigs) {
      const reports = await verifyDetachedAsync({
        signature: s.der,
        contentDigests: digested.value.digests,
        ...verificationOptions(input, s.der),
      });
      signatures.push({ path: s.path, role: 'document', fileId: file.id, fileName: file.name, reports });
    }
  }

  checkSignersBelongTo(envelope.sender, signatures, findings);
  const passed = findings.length === 0 && signatures.length > 0 && signatures.every((s) => s.reports.length > 0 && s.reports.every((r) => r.indication === 'TOTAL-PASSED'));
  return {
    ok: true,
    value: { kind: 'letter', envelope, envelopeDigest: digestBytes('sha-256', xml.value).toString('base64'), signatures, findings, passed },
  };
}

async function verifyReceipt(reader: ContainerReader, input: RoutedInput): Promise<LetterResult<ContainerVerification>> {
  const xml = await reader.readEntry(RECEIPT_ENTRY, MAX_XML_BYTES);
  if (!xml.ok) return { ok: false, error: { code: 'RECEIPT_INVALID', message: `${xml.error.code}: ${xml.error.message}` } };
  const parsed = parseReceiptXml(xml.value);
  if (!parsed.ok) return { ok: false, error: { code: 'RECEIPT_INVALID', message: `${parsed.error.code}: ${parsed.error.message}` } };
  const findings: ContainerFinding[] = [];
  const signatures: SignatureVerification[] = [];
  for (const path of reader.entries.keys()) {
    if (path !== RECEIPT_ENTRY && path !== RECEIPT_SIGNATURE_ENTRY) {
      findings.push({ code: 'FILE_UNLISTED', message: `${path} does not belong in a receipt container`, path });
    }
  }
  const reports = await verifySignatureEntry(reader, RECEIPT_SIGNATURE_ENTRY, xml.value, input, findings);
  if (reports !== undefined) signatures.push({ path: RECEIPT_SIGNATURE_ENTRY, role: 'transport', reports });
  checkSignersBelongTo(parsed.value.issuer, signatures, findings);
  const passed = findings.length === 0 && signatures.length > 0 && signatures.every((s) => s.reports.length > 0 && s.reports.every((r) => r.indication === 'TOTAL-PASSED'));
  return { ok: true, value: { kind: 'receipt', receipt: parsed.value, receiptDigest: digestBytes('sha-256', xml.value).toString('base64'), signatures, findings, passed } };
}

async function loadSignature(
  reader: ContainerReader,
  path: string,
  findings: ContainerFinding[],
  prefetched?: ReturnType<ContainerReader['readEntry']>,
): Promise<{ der: Buffer; algorithms: DigestAlgorithm[] } | undefined> {
  if (!reader.entries.has(path)) {
    findings.push({ code: 'SIGNATURE_MISSING', message: `signature ${path} is missing`, path });
    return undefined;
  }
  const der = await (prefetched ?? reader.readEntry(path, MAX_SIGNATURE_BYTES));
  if (!der.ok) {
    findings.push({ code: 'SIGNATURE_UNREADABLE', message: `${path}: ${der.error.code}: ${der.error.message}`, path });
    return undefined;
  }
  const inspected = inspectSignature(der.value);
  // A malformed signature still gets verified so that its report says FORMAT_FAILURE.
  return { der: der.value, algorithms: inspected.ok ? inspected.value.digestAlgorithms : [] };
}

async function verifySignatureEntry(
  reader: ContainerReader,
  path: string,
  signed: Buffer,
  input: RoutedInput,
  findings: ContainerFinding[],
  prefetched?: ReturnType<ContainerReader['readEntry']>,
): Promise<ValidationReport[] | undefined> {
  const loaded = await loadSignature(reader, path, findings, prefetched);
  if (loaded === undefined) return undefined;
  // Only the digests the signature uses; an unreadable one gets its FORMAT_FAILURE report anyway.
  const digests: Partial<Record<DigestAlgorithm, Buffer>> = {};
  for (const algorithm of loaded.algorithms) digests[algorithm] = digestBytes(algorithm, signed);
  return verifyDetachedAsync({
    signature: loaded.der,
    contentDigests: digests,
    ...verificationOptions(input, loaded.der),
  });
}

function verificationOptions(input: RoutedInput, signature: Buffer): Omit<VerifyDetachedInput, 'signature' | 'contentDigests'> {
  const stamps = input.tokens.forSignature(signature);
  return {
    ...(stamps.length === 0 ? {} : { signatureTimestamps: stamps }),
    trustAnchors: input.trustAnchors,
    policy: input.policy,
    now: input.now,
    ...(input.revocation === undefined ? {} : { revocation: input.revocation }),
    ...(input.timestampTrustAnchors === undefined ? {} : { timestampTrustAnchors: input.timestampTrustAnchors }),
  };
}

/**
 * SPEC §4: the signer must belong to the participant that claims to send. The certificate's
 * organisation identifiers (OGRN, INN of the legal entity) must equal the party's where the party
 * states them; a party without identifiers cannot be matched and is reported.
 */
function checkSignersBelongTo(party: Party, signatures: readonly SignatureVerification[], findings: ContainerFinding[]): void {
  for (const s of signatures) {
    for (const r of s.reports) {
      const cert = r.signedBy;
      if (cert === null) continue;
      const certOgrn = cert.ogrn ?? cert.ogrnip;
      const certInn = cert.innle ?? cert.inn;
      const problems: string[] = [];
      if (party.ogrn === undefined && party.inn === undefined) problems.push('the party states neither OGRN nor INN');
      if (party.ogrn !== undefined && certOgrn !== party.ogrn) problems.push(`certificate OGRN ${certOgrn ?? '(none)'} ≠ ${party.ogrn}`);
      if (party.inn !== undefined && certInn !== party.inn) problems.push(`certificate INN ${certInn ?? '(none)'} ≠ ${party.inn}`);
      if (problems.length > 0) {
        findings.push({
          code: 'SIGNER_NOT_SENDER',
          message: `${s.path}: signer "${cert.subject}" does not belong to ${party.id} (${problems.join('; ')})`,
          path: s.path,
        });
      }
    }
  }
}
