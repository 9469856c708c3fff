import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import {
  digestBytes,
  inspectSignature,
  isGostSigningKey,
  signDetached,
  signingDigestFor,
  type SigningKey,
  verifyDetached,
  DEFAULT_VALIDATION_POLICY,
  type DigestAlgorithm,
} from '../crypto/index.ts';
import {
  buildEnvelopeXml,
  createContainerWriter,
  type ContainerWriter,
  type Envelope,
  type EnvelopeFile,
  type Party,
} from '../envelope/index.ts';
import {
  assignFilePaths,
  ENVELOPE_ENTRY,
  ENVELOPE_SIGNATURE_ENTRY,
  MAX_SIGNATURE_BYTES,
  signaturePathFor,
} from './container-layout.ts';
import { mediaTypeForName } from './media-type.ts';
import type { LetterError, LetterResult, SigningIdentity } from './types.ts';

export interface PackLetterFile {
  /** Where the file is on disk. */
  sourcePath: string;
  /** The name recorded in the envelope; defaults to the source file's base name. */
  name?: string;
  mediaType?: string;
  /** Defaults: the first file is `main`, the others `attachment`. */
  role?: 'main' | 'attachment';
}

export interface SuppliedSignature {
  /** A detached CMS signature (DER) on disk, made by the signatory outside the gateway. */
  sourcePath: string;
  /** The envelope name of the file it signs; defaults to the signature's base name without `.p7s`. */
  forName?: string;
}

export interface PackLetterInput {
  outputPath: string;
  messageId: string;
  now: Date;
  sender: Party;
  recipient: Party;
  document: Envelope['document'];
  files: readonly PackLetterFile[];
  /** When given, these are the document signatures and the gateway signs only the envelope. */
  suppliedSignatures?: readonly SuppliedSignature[];
  /** Signs the envelope (transport signature) and, without supplied signatures, every file. */
  signer: SigningIdentity<SigningKey>;
  /**
   * The file digests of envelope.xml. Default: SHA-256, or Streebog of the key's size for a GOST
   * signer. The signatures use the digest the key signs with (signingDigestFor), computed in the
   * same pass when it differs.
   */
  digestAlgorithm?: DigestAlgorithm;
  /** `false` for scratch output a durable store adopts afterwards (see createContainerWriter). */
  durable?: boolean;
  /**
   * Applied to every signature packLetter makes (each file's and the envelope's) before it is
   * written, e.g. to add an RFC 3161 signature time-stamp (CAdES-T): the container then holds the
   * final bytes only. Supplied signatures are left as the signatory made them. A failure aborts
   * the letter with TIMESTAMP_FAILED.
   */
  stampSignature?: (der: Buffer) => Promise<StampResult>;
}

/** What a `stampSignature` hook answers: the new DER signature, or why it could not be made. */
export type StampResult = { ok: true; value: Buffer } | { ok: false; error: { message: string } };

export interface PackedLetter {
  envelope: Envelope;
  envelopeXml: Buffer;
  /** SHA-256 of envelope.xml: what receipts refer to. */
  envelopeDigest: Buffer;
  outputPath: string;
}

type Written = Awaited<ReturnType<ContainerWriter['addFile']>>;

interface LoadedSignature {
  der: Buffer;
  forName: string;
  sourcePath: string;
  digestAlgorithms: DigestAlgorithm[];
}

/**
 * Packs one letter into a container (SPEC §2–3): each file is streamed once into the ZIP while
 * its digests are computed, then signed (CAdES-BES detached) or matched with the signatory's
 * supplied signatures, then envelope.xml is written and signed as the transport signature.
 * The output appears atomically; on any failure nothing is left behind.
 */
export async function packLetter(input: PackLetterInput): Promise<LetterResult<PackedLetter>> {
  const key = input.signer.privateKey;
  const digestAlgorithm = input.digestAlgorithm ?? (isGostSigningKey(key) ? signingDigestFor(key, 'sha-256') : 'sha-256');
  const signatureDigest = signingDigestFor(key, digestAlgorithm);
  if (input.files.length === 0) {
    return { ok: false, error: { code: 'INPUT_INVALID', message: 'a letter needs at least one file' } };
  }
  const names = input.files.map((f) => (f.name ?? basename(f.sourcePath)).normalize('NFC'));
  if (new Set(names).size !== names.length) {
    return { ok: false, error: { code: 'INPUT_INVALID', message: 'two files have the same name' } };
  }
  const roles = input.files.map((f, i) => f.role ?? (i === 0 ? 'main' : 'attachment'));
  if (roles.filter((r) => r === 'main').length !== 1) {
    return { ok: false, error: { code: 'INPUT_INVALID', message: 'exactly one file must be the main document' } };
  }
  // Checking the inputs takes file system round trips. Meanwhile the container's temp file is
  // created and, when every digest is known up front (no supplied signatures to inspect first),
  // the files already stream into it; all of it is discarded if the checks fail.
  const paths = assignFilePaths(names);
  const writer = createContainerWriter({ outputPath: input.outputPath, durable: input.durable !== false });
  const algorithmsFor = (name: string, supplied: readonly LoadedSignature[]): DigestAlgorithm[] => {
    const mine = supplied.filter((s) => s.forName === name);
    const needed = mine.length > 0 ? mine.flatMap((s) => s.digestAlgorithms) : [signatureDigest];
    return [...new Set<DigestAlgorithm>([digestAlgorithm, ...needed])];
  };
  const startWrites = (supplied: readonly LoadedSignature[]): Promise<Written>[] =>
    input.files.map((f, i) => {
      // The writer runs them one after another, in this order.
      const written = writer.addFile(paths[i] ?? '', f.sourcePath, { digests: algorithmsFor(names[i] ?? '', supplied) });
      written.catch(() => undefined);
      return written;
    });
  const early = (input.suppliedSignatures ?? []).length === 0 ? startWrites([]) : undefined;
  // The writer stats and opens each source itself: when it is already at work, a source that is
  // not a readable regular file shows as a failed write, looked into below.
  const checked = checkInputs(input, names, { statFiles: early === undefined });
  const loaded = await checked.catch(async (error: unknown) => {
    await writer.abort();
    throw error;
  });
  if (!loaded.ok) {
    await writer.abort();
    return loaded;
  }
  const supplied = loaded.value;
  try {
    const writes = early ?? startWrites(supplied);
    const files: EnvelopeFile[] = [];
    const signatureEntries: { path: string; der: Buffer }[] = [];
    for (const [i, f] of input.files.entries()) {
      const name = names[i] ?? '';
      const path = paths[i] ?? '';
      const mine = supplied.filter((s) => s.forName === name);
      const algorithms = algorithmsFor(name, supplied);
      let written: Written;
      try {
        written = await (writes[i] ?? Promise.reject(new Error(`no write for file ${i}`)));
      } catch (error) {
        if (await isRegularFile(f.sourcePath)) throw error;
        await writer.abort();
        return fileUnreadable(f.sourcePath);
      }
      const digest = written.digests[digestAlgorithm];
      const signedDigest = written.digests[signatureDigest];
      if (digest === undefined || signedDigest === undefined) throw new Error(`container writer did not compute ${algorithms.join(', ')}`);

      const signatures: Buffer[] = [];
      if (mine.length > 0) {
        for (const s of mine) {
          // Only the binding to this file's bytes is checked here; trust and time are the
          // receiver's call (the signatory may have signed on a clock ahead of ours).
          const [report] = verifyDetached({
            signature: s.der,
            contentDigests: written.digests,
            trustAnchors: [],
            policy: { ...DEFAULT_VALIDATION_POLICY, revocation: 'skip', maxFutureSkewSeconds: Number.MAX_SAFE_INTEGER },
            now: input.now,
          });
          const digestCheck = report?.checks.find((c) => c.id === 'message-digest');
          if (digestCheck?.status !== 'passed') {
            await writer.abort();
            const mismatch = digestCheck?.status === 'failed';
            return {
              ok: false,
              error: {
                code: mismatch ? 'SIGNATURE_DOES_NOT_MATCH_FILE' : 'SIGNATURE_UNREADABLE',
                message: mismatch
                  ? `signature ${s.sourcePath} does not sign the bytes of "${name}"`
                  : `signature ${s.sourcePath} cannot be checked against "${name}": ${report?.errors.join('; ') ?? 'no signer'}`,
                path: s.sourcePath,
              },
            };
          }
          signatures.push(s.der);
        }
      } else {
        const stamped = await stamp(input, signWithIdentity(input.signer, signedDigest, signatureDigest, input.now));
        if (!stamped.ok) {
          await writer.abort();
          return { ok: false, error: { code: 'TIMESTAMP_FAILED', message: `signature of "${name}": ${stamped.error.message}` } };
        }
        signatures.push(stamped.value);
      }
      const signaturePaths = signatures.map((_, k) => signaturePathFor(path, k));
      signatures.forEach((der, k) => signatureEntries.push({ path: signaturePaths[k] ?? '', der }));
      files.push({
        id: `f${i + 1}`,
        role: roles[i] ?? 'attachment',
        name,
        mediaType: f.mediaType ?? mediaTypeForName(name),
        size: written.size,
        digest: { algorithm: digestAlgorithm, value: digest.toString('base64') },
        path,
        signaturePaths,
      });
    }
    for (const e of signatureEntries) writer.addBuffer(e.path, e.der, { compress: false });

    const envelope: Envelope = {
      version: '1',
      messageId: input.messageId,
      createdAt: input.now.toISOString(),
      sender: input.sender,
      recipient: input.recipient,
      document: input.document,
      files,
    };
    const envelopeXml = buildEnvelopeXml(envelope);
    const envelopeDigest = digestBytes('sha-256', envelopeXml);
    const transportDigest = signingDigestFor(key, 'sha-256');
    const transportSignature = await stamp(input, signWithIdentity(input.signer, transportDigest === 'sha-256' ? envelopeDigest : digestBytes(transportDigest, envelopeXml), transportDigest, input.now));
    if (!transportSignature.ok) {
      await writer.abort();
      return { ok: false, error: { code: 'TIMESTAMP_FAILED', message: `transport signature: ${transportSignature.error.message}` } };
    }
    writer.addBuffer(ENVELOPE_ENTRY, envelopeXml, { compress: true });
    writer.addBuffer(ENVELOPE_SIGNATURE_ENTRY, transportSignature.value, { compress: false });
    await writer.close();
    return { ok: true, value: { envelope, envelopeXml, envelopeDigest, outputPath: input.outputPath } };
  } catch (error) {
    await writer.abort().catch(() => undefined);
    throw error;
  }
}

function isRegularFile(path: string): Promise<boolean> {
  return stat(path).then(
    (st) => st.isFile(),
    () => false,
  );
}

function fileUnreadable(path: string): { ok: false; error: LetterError } {
  return { ok: false, error: { code: 'FILE_UNREADABLE', message: `not a readable file: ${path}`, path } };
}

/**
 * Every file must be a regular file (checked here unless the files are already being written,
 * when a failed write is looked into instead), and every supplied signature readable, a SignedData and
 * matched to a file (looked at side by side, reported in input order). Supplied signatures are
 * inspected first so that the one pass over each file can compute every digest they need.
 */
async function checkInputs(input: PackLetterInput, names: readonly string[], options: { statFiles: boolean }): Promise<LetterResult<LoadedSignature[]>> {
  if (options.statFiles) {
    const regular = await Promise.all(input.files.map((f) => isRegularFile(f.sourcePath)));
    const unreadable = input.files.find((_, i) => regular[i] !== true);
    if (unreadable !== undefined) return fileUnreadable(unreadable.sourcePath);
  }
  const signatures = input.suppliedSignatures ?? [];
  const ders = await Promise.all(signatures.map((s) => readFile(s.sourcePath).catch(() => undefined)));
  const supplied: LoadedSignature[] = [];
  for (const [i, s] of signatures.entries()) {
    const der = ders[i];
    if (der === undefined || der.length > MAX_SIGNATURE_BYTES) {
      return { ok: false, error: { code: 'SIGNATURE_UNREADABLE', message: `cannot read signature ${s.sourcePath}`, path: s.sourcePath } };
    }
    const inspected = inspectSignature(der);
    if (!inspected.ok) {
      return { ok: false, error: { code: 'SIGNATURE_UNREADABLE', message: `${s.sourcePath}: ${inspected.error.message}`, path: s.sourcePath } };
    }
    const forName = (s.forName ?? basename(s.sourcePath).replace(/\.p7s$/iu, '')).normalize('NFC');
    if (!names.includes(forName)) {
      return { ok: false, error: { code: 'SIGNATURE_UNMATCHED', message: `signature ${s.sourcePath} is for "${forName}", which is not among the files`, path: s.sourcePath } };
    }
    supplied.push({ der, forName, sourcePath: s.sourcePath, digestAlgorithms: inspected.value.digestAlgorithms });
  }
  if (supplied.length > 0) {
    const unsigned = names.filter((n) => !supplied.some((s) => s.forName === n));
    if (unsigned.length > 0) {
      return { ok: false, error: { code: 'SIGNATURE_UNMATCHED', message: `no supplied signature for: ${unsigned.join(', ')}` } };
    }
  }
  return { ok: true, value: supplied };
}

function stamp(input: PackLetterInput, der: Buffer): Promise<StampResult> {
  return input.stampSignature === undefined ? Promise.resolve({ ok: true, value: der }) : input.stampSignature(der);
}

/** A detached CAdES-BES signature by `signer` over content whose digest is `digest` (what packLetter signs with). */
export function signWithIdentity(signer: SigningIdentity<SigningKey>, digest: Buffer, algorithm: DigestAlgorithm, now: Date): Buffer {
  return signDetached({
    contentDigest: digest,
    digestAlgorithm: algorithm,
    privateKey: signer.privateKey,
    certificate: signer.certificate,
    extraCertificates: signer.chain,
    signingTime: now,
    ...(signer.rsaScheme === undefined ? {} : { rsaScheme: signer.rsaScheme }),
  });
}
