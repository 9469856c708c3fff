/**
 * Checking one certificate against one X.509 CRL (RFC 5280 §5, §6.3). The CRL is parsed with pkijs;
 * its signature is verified with node:crypto against the issuer's key.
 */
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { children } from '../der-writer.ts';
import { readCertificate, normalizeSerial, type CertificateFacts } from './certificate-facts.ts';
import { signatureProblem } from './signature-check.ts';

const EXT_CRL_NUMBER = '2.5.29.20';
const EXT_DELTA_CRL_INDICATOR = '2.5.29.27';
const EXT_ISSUING_DISTRIBUTION_POINT = '2.5.29.28';
const EXT_AUTHORITY_KEY_ID = '2.5.29.35';
const EXT_FRESHEST_CRL = '2.5.29.46';
const EXT_AUTHORITY_INFO_ACCESS = '1.3.6.1.5.5.7.1.1';
/** ExpiredCertsOnCRL (X.509 (2019) §9.6.2.6 / RFC 5280 §3.3): the CRL keeps entries of expired certificates. */
const EXT_EXPIRED_CERTS_ON_CRL = '2.5.29.60';
const ENTRY_REASON_CODE = '2.5.29.21';
const ENTRY_INVALIDITY_DATE = '2.5.29.24';
const KEY_USAGE_CRL_SIGN = 6;

/** CRLReason names (RFC 5280 §5.3.1); 7 is unassigned. */
export const CRL_REASONS = [
  'unspecified',
  'keyCompromise',
  'cACompromise',
  'affiliationChanged',
  'superseded',
  'cessationOfOperation',
  'certificateHold',
  'unassigned-7',
  'removeFromCRL',
  'privilegeWithdrawn',
  'aACompromise',
] as const;
export type CrlReason = (typeof CRL_REASONS)[number];

export type RevocationStatus = 'good' | 'revoked' | 'unknown';

export interface CheckCrlInput {
  /** DER of the CertificateList. */
  crlDer: Uint8Array;
  /** DER of the certificate whose status is asked. */
  certificate: Uint8Array;
  /** DER of the certificate of the CA that issued `certificate` (and, for a direct CRL, the CRL). */
  issuer: Uint8Array;
  now: Date;
  /**
   * The time the status is asked for: the best signature time (a proof of existence such as a
   * signature time-stamp's genTime). Default `now`. Freshness is judged at this time, see {@link checkCrl}.
   */
  at?: Date;
  /** Tolerated clock difference for a thisUpdate in the future; default 300. */
  skewSeconds?: number;
}

export interface CrlCheckResult {
  /** `unknown` whenever the CRL cannot be relied on (bad signature, stale, unsupported scope): never `good` then. */
  status: RevocationStatus;
  revokedAt?: Date;
  reason?: CrlReason;
  thisUpdate: Date | null;
  nextUpdate: Date | null;
  problems: string[];
}

/** Whether a CRL (DER) names `issuer` as its issuer, without checking anything else; for picking CRLs out of a store. */
export function crlIssuedBy(crlDer: Uint8Array, issuerSubjectDer: Buffer): boolean {
  const tbs = tbsFields(crlDer);
  return tbs !== null && tbs.issuer.equals(issuerSubjectDer);
}

interface TbsFields {
  tbs: Buffer;
  innerAlgorithm: Buffer;
  outerAlgorithm: Buffer;
  issuer: Buffer;
}

function tbsFields(crlDer: Uint8Array): TbsFields | null {
  try {
    const [tbs, outerAlgorithm] = children(crlDer);
    if (tbs === undefined || outerAlgorithm === undefined) return null;
    const fields = children(tbs.bytes);
    // tbsCertList: the optional version INTEGER comes first (RFC 5280 §5.1).
    const shift = fields[0]?.tag === 0x02 ? 1 : 0;
    const innerAlgorithm = fields[shift];
    const issuer = fields[shift + 1];
    if (innerAlgorithm === undefined || issuer === undefined) return null;
    return { tbs: tbs.bytes, innerAlgorithm: innerAlgorithm.bytes, outerAlgorithm: outerAlgorithm.bytes, issuer: issuer.bytes };
  } catch {
    return null;
  }
}

function reasonOf(entry: pkijs.RevokedCertificate): { reason?: CrlReason; problem?: string } {
  for (const ext of entry.crlEntryExtensions?.extensions ?? []) {
    if (ext.extnID === ENTRY_REASON_CODE) {
      const value = asn1js.fromBER(ext.extnValue.valueBlock.valueHexView).result;
      if (value instanceof asn1js.Enumerated) {
        const name = CRL_REASONS[value.valueBlock.valueDec];
        if (name !== undefined) return { reason: name };
      }
      return { problem: 'a CRL entry has a malformed reasonCode' };
    }
  }
  return {};
}

function unknownEntryExtension(entry: pkijs.RevokedCertificate): string | undefined {
  for (const ext of entry.crlEntryExtensions?.extensions ?? []) {
    // certificateIssuer (indirect CRLs) is critical and not supported: every other critical entry
    // extension is equally not understood (RFC 5280 §5.3).
    if (ext.critical && ext.extnID !== ENTRY_REASON_CODE && ext.extnID !== ENTRY_INVALIDITY_DATE) return ext.extnID;
  }
  return undefined;
}

/**
 * Scope of an issuingDistributionPoint (RFC 5280 §5.2.5): a CRL limited to CA or to end-entity
 * certificates must match the certificate; indirect and reason-partitioned CRLs are not supported.
 */
function scopeProblem(ext: pkijs.Extension, cert: CertificateFacts): string | null {
  let idp: pkijs.IssuingDistributionPoint;
  try {
    idp = new pkijs.IssuingDistributionPoint({ schema: asn1js.fromBER(ext.extnValue.valueBlock.valueHexView).result });
  } catch {
    return 'the issuingDistributionPoint extension is malformed';
  }
  if (idp.indirectCRL === true) return 'indirect CRLs are not supported';
  if (idp.onlySomeReasons !== undefined) return 'CRLs partitioned by reason (onlySomeReasons) are not supported';
  if (idp.onlyContainsAttributeCerts === true) return 'the CRL covers attribute certificates only';
  if (idp.onlyContainsUserCerts === true && cert.isCA) return 'the CRL covers end-entity certificates only, the certificate is a CA';
  if (idp.onlyContainsCACerts === true && !cert.isCA) return 'the CRL covers CA certificates only, the certificate is an end entity';
  return null;
}

/**
 * Looks `certificate` up in a CRL after verifying that the CRL can be relied on (RFC 5280 §6.3.3):
 * issuer name equals the issuer certificate's subject, the issuer may sign CRLs (keyUsage cRLSign),
 * the signature verifies with the issuer's key, the CRL is fresh, and every critical extension is
 * understood. Delta CRLs are not supported. Any problem makes the status `unknown`.
 *
 * Freshness is judged at `at`, the time the status is asked for, not at `now` (ETSI EN 319 102-1
 * §5.2.5 revocation freshness checker and §5.6.2.4 past signature validation: revocation data is
 * weighed against the best signature time a proof of existence established). With `at` = `now`
 * this is the usual thisUpdate ≤ now < nextUpdate. With an earlier `at` (a time-stamped signature
 * validated years later) a CRL is usable when it was current at `at` (nextUpdate > at) or issued
 * after `at` (thisUpdate ≥ at) — the latter is the preferred evidence that the certificate was not
 * revoked at `at`, since any revocation up to `at` must appear in it; both conditions reduce to
 * nextUpdate > at. A CRL issued after the certificate expired is not evidence of "not revoked"
 * unless it carries ExpiredCertsOnCRL: a CA may drop the entries of expired certificates (RFC 5280
 * §3.3, §5.1.2.6). thisUpdate in the future is still judged against `now` (a forged or skewed CRL).
 */
export function checkCrl(input: CheckCrlInput): CrlCheckResult {
  const problems: string[] = [];
  const fail = (problem: string, thisUpdate: Date | null = null, nextUpdate: Date | null = null): CrlCheckResult => ({
    status: 'unknown',
    thisUpdate,
    nextUpdate,
    problems: [...problems, problem],
  });
  const cert = readCertificate(input.certificate);
  const issuer = readCertificate(input.issuer);
  if (cert === null) return fail('the certificate cannot be parsed');
  if (issuer === null) return fail('the issuer certificate cannot be parsed');
  if (!cert.issuerDer.equals(issuer.subjectDer)) return fail('the issuer certificate does not match the certificate issuer name');

  const raw = tbsFields(input.crlDer);
  let crl: pkijs.CertificateRevocationList;
  try {
    crl = pkijs.CertificateRevocationList.fromBER(Buffer.from(input.crlDer));
  } catch {
    return fail('the CRL cannot be parsed');
  }
  if (raw === null) return fail('the CRL cannot be parsed');
  const thisUpdate = crl.thisUpdate.value;
  const nextUpdate = crl.nextUpdate?.value ?? null;

  if (!raw.issuer.equals(issuer.subjectDer)) problems.push('the CRL issuer name differs from the issuer certificate subject');
  if (issuer.keyUsageBits !== undefined && !issuer.keyUsageBits.has(KEY_USAGE_CRL_SIGN)) problems.push('the issuer certificate keyUsage lacks cRLSign');
  if (!raw.innerAlgorithm.equals(raw.outerAlgorithm)) problems.push('the CRL signature algorithm fields differ (RFC 5280 §5.1.2.2)');
  const sigProblem = signatureProblem({
    algorithm: crl.signatureAlgorithm.algorithmId,
    parameters: crl.signatureAlgorithm.algorithmParams,
    data: raw.tbs,
    signature: crl.signatureValue.valueBlock.valueHexView,
    publicKey: issuer.publicKey,
  });
  if (sigProblem !== null) problems.push(`CRL signature: ${sigProblem}`);

  if (thisUpdate.getTime() > input.now.getTime() + (input.skewSeconds ?? 300) * 1000) problems.push(`the CRL thisUpdate ${thisUpdate.toISOString()} is in the future`);
  const at = input.at ?? input.now;
  const past = at.getTime() < input.now.getTime();
  if (nextUpdate === null) problems.push('the CRL has no nextUpdate, its freshness cannot be judged');
  else if (nextUpdate.getTime() <= at.getTime()) {
    problems.push(past ? `the CRL is stale for ${at.toISOString()}: nextUpdate ${nextUpdate.toISOString()} was before it` : `the CRL is stale: nextUpdate ${nextUpdate.toISOString()} has passed`);
  }
  let keepsExpired = false;

  for (const ext of crl.crlExtensions?.extensions ?? []) {
    if (ext.extnID === EXT_EXPIRED_CERTS_ON_CRL) {
      keepsExpired = true;
    } else if (ext.extnID === EXT_DELTA_CRL_INDICATOR) {
      problems.push('delta CRLs are not supported');
    } else if (ext.extnID === EXT_ISSUING_DISTRIBUTION_POINT) {
      const scope = scopeProblem(ext, cert);
      if (scope !== null) problems.push(scope);
    } else if (ext.critical && ![EXT_CRL_NUMBER, EXT_AUTHORITY_KEY_ID, EXT_FRESHEST_CRL, EXT_AUTHORITY_INFO_ACCESS].includes(ext.extnID)) {
      problems.push(`the CRL has an unknown critical extension ${ext.extnID}`);
    }
  }

  let revoked: { revokedAt: Date; reason?: CrlReason } | undefined;
  for (const entry of crl.revokedCertificates ?? []) {
    const unknown = unknownEntryExtension(entry);
    if (unknown !== undefined) {
      problems.push(`a CRL entry has an unknown critical extension ${unknown}`);
      continue;
    }
    if (!normalizeSerial(entry.userCertificate.valueBlock.valueHexView).equals(cert.serial)) continue;
    const { reason, problem } = reasonOf(entry);
    if (problem !== undefined) problems.push(problem);
    // removeFromCRL only belongs in delta CRLs (RFC 5280 §5.3.1): in a full CRL it means "not revoked".
    if (reason === 'removeFromCRL') continue;
    revoked = { revokedAt: entry.revocationDate.value, ...(reason === undefined ? {} : { reason }) };
  }

  if (revoked === undefined && !keepsExpired && thisUpdate.getTime() > cert.notAfter.getTime()) {
    problems.push(`the CRL (thisUpdate ${thisUpdate.toISOString()}) was issued after the certificate expired (${cert.notAfter.toISOString()}) and may no longer list it (RFC 5280 §3.3)`);
  }
  if (problems.length > 0) return { status: 'unknown', thisUpdate, nextUpdate, problems };
  if (revoked !== undefined) return { status: 'revoked', ...revoked, thisUpdate, nextUpdate, problems };
  return { status: 'good', thisUpdate, nextUpdate, problems };
}

/**
 * thisUpdate / nextUpdate of a CRL (RFC 5280 §5.1.2.4-5) without checking anything else: for
 * scheduling the refresh of a cached CRL; null when the CRL cannot be parsed.
 */
export function crlValidity(crlDer: Uint8Array): { thisUpdate: Date; nextUpdate: Date | null } | null {
  try {
    const crl = pkijs.CertificateRevocationList.fromBER(Buffer.from(crlDer));
    return { thisUpdate: crl.thisUpdate.value, nextUpdate: crl.nextUpdate?.value ?? null };
  } catch {
    return null;
  }
}
