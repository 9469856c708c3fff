/**
 * Accepting an ETSI TS 119 612 trusted list: its enveloped XML signature verifies (XML-DSig 1.1),
 * the certificate that made it is one the operator pinned (as the EU list of the lists pins each
 * national list's signers, TS 119 612 §5.3.13 / §6.1), it is not past its NextUpdate, and it is
 * not older than the last list of the same territory the caller accepted (TSLSequenceNumber).
 */
import { createHash, X509Certificate } from 'node:crypto';
import { verifyEnvelopedSignature, type VerifyEnvelopedOptions, type XmldsigErrorCode } from '../xmldsig/index.ts';
import { parseTrustedList, type TrustedList } from './parse-trusted-list.ts';

export const TRUSTED_LIST_ERROR_CODES = [
  'TL_NOT_A_TRUSTED_LIST',
  'TL_INVALID',
  'TL_UNSUPPORTED_VERSION',
  'TL_SIGNER_NOT_PINNED',
  'TL_EXPIRED',
  'TL_ROLLBACK',
] as const;

export type TrustedListErrorCode = (typeof TRUSTED_LIST_ERROR_CODES)[number] | XmldsigErrorCode;

export interface TrustedListError {
  code: TrustedListErrorCode;
  message: string;
}

export type TrustedListResult<T> = { ok: true; value: T } | { ok: false; error: TrustedListError };

export interface VerifyTrustedListInput {
  /** The list as published (UTF-8 XML bytes). */
  xml: Uint8Array;
  /** SHA-256 fingerprints (hex, any case) of the certificates allowed to sign this list. */
  pinnedSignerFingerprints: readonly string[];
  now: Date;
  /** Accept a list past its NextUpdate (or a closed list), with a warning. */
  allowExpired?: boolean;
  /**
   * The newest list already accepted per SchemeTerritory: its TSLSequenceNumber and the SHA-256
   * of its bytes. An older number is a rollback; the same number with other bytes is one too.
   */
  lastImported?: Readonly<Record<string, { sequenceNumber: number; listSha256: string }>>;
  /** Parser limits and the SHA-1 switch of the signature verifier. */
  signature?: VerifyEnvelopedOptions;
}

export interface VerifiedTrustedList {
  list: TrustedList;
  /** DER of the certificate that signed the list (one of the pinned ones). */
  signerCertificate: Buffer;
  signerFingerprint: string;
  /** SHA-256 (hex) of the list's bytes as given. */
  listSha256: string;
  warnings: string[];
}

function fail(code: TrustedListErrorCode, message: string): { ok: false; error: TrustedListError } {
  return { ok: false, error: { code, message } };
}

/**
 * Verifies a trusted list and returns its content. Order matters: nothing of the content is read
 * before the signature and its signer are accepted, so an unsigned or foreign list reports as such
 * rather than as whatever is wrong inside it.
 */
export function verifyTrustedList(input: VerifyTrustedListInput): TrustedListResult<VerifiedTrustedList> {
  const pinned = new Set(input.pinnedSignerFingerprints.map((f) => f.replace(/:/gu, '').toLowerCase()));
  if (pinned.size === 0) return fail('TL_SIGNER_NOT_PINNED', 'no signer certificate is pinned for this list');
  const verified = verifyEnvelopedSignature(input.xml, input.signature ?? {});
  if (!verified.ok) return verified;
  const signerFingerprint = createHash('sha256').update(verified.value.signerCertificate).digest('hex');
  if (!pinned.has(signerFingerprint)) {
    return fail('TL_SIGNER_NOT_PINNED', `the list is signed by certificate sha256 ${signerFingerprint}, which is not one of the pinned signers`);
  }
  const parsed = parseTrustedList(verified.value.document);
  if (!parsed.ok) return parsed;
  const list = parsed.value;
  const warnings = [...verified.value.warnings];
  const signer = new X509Certificate(verified.value.signerCertificate);
  const issued = Date.parse(list.issued);
  if (issued < Date.parse(signer.validFrom) || issued > Date.parse(signer.validTo)) {
    // Pinned by the operator, so not fatal; but TS 119 615 expects the signer valid at issuance.
    warnings.push(`the signer certificate (valid ${new Date(signer.validFrom).toISOString()} .. ${new Date(signer.validTo).toISOString()}) was not valid when the list was issued (${list.issued})`);
  }
  const nextUpdate = list.nextUpdate === null ? undefined : new Date(list.nextUpdate);
  if (nextUpdate === undefined || nextUpdate.getTime() <= input.now.getTime()) {
    const why = nextUpdate === undefined ? 'the list is closed (no NextUpdate)' : `the list expired: its NextUpdate was ${list.nextUpdate ?? ''}`;
    if (input.allowExpired !== true) return fail('TL_EXPIRED', why);
    warnings.push(`${why}; accepted because expired lists were explicitly allowed`);
  }
  const listSha256 = createHash('sha256').update(input.xml).digest('hex');
  const rollback = checkSequence(list, listSha256, input.lastImported?.[list.territory]);
  if (rollback !== undefined) return fail('TL_ROLLBACK', rollback);
  return { ok: true, value: { list, signerCertificate: verified.value.signerCertificate, signerFingerprint, listSha256, warnings } };
}

/**
 * Why `list` may not replace `last` (TS 119 612 §5.3.7: the sequence number grows with every
 * issue), or undefined. Exported so an importer can repeat the check inside its transaction.
 */
export function checkSequence(list: Pick<TrustedList, 'territory' | 'sequenceNumber'>, listSha256: string, last: { sequenceNumber: number; listSha256: string } | undefined): string | undefined {
  if (last === undefined) return undefined;
  if (list.sequenceNumber < last.sequenceNumber) return `the list of ${list.territory} is #${list.sequenceNumber}, older than #${last.sequenceNumber} already imported`;
  if (list.sequenceNumber === last.sequenceNumber && listSha256 !== last.listSha256) {
    return `a different list of ${list.territory} with the same sequence number #${list.sequenceNumber} was already imported`;
  }
  return undefined;
}
