/**
 * Revocation of a time-stamp token's TSA certification path at the token's genTime (RFC 3161 §4
 * "TSA compromise", ETSI EN 319 102-1 §5.2.6 applied to the time-stamp's signing certificate). One
 * judgement serves the validator (a token it reads, `validateSigner`) and the gateway (a token it
 * has just obtained, {@link timestampSignatureValue}), so both call a token usable or not alike.
 */
import type { ChainLink, RevocationCheckResult } from '../revocation/index.ts';

/** What to check: nothing (with the reason, for the report), or these links at genTime. */
export type TsaRevocationPlan = { check: false; note: string } | { check: true; chain: ChainLink[] };

/**
 * Plans the revocation check of a TSA path (`path`: TSA certificate first, trust anchor last, as
 * {@link verifyTimestampToken} returns it). The anchor itself is never checked (RFC 5280 §6.1: it
 * is trusted as configured); with policy `skip` nothing is.
 */
export function planTsaRevocation(path: readonly Uint8Array[], mode: 'require' | 'skip'): TsaRevocationPlan {
  if (mode === 'skip') return { check: false, note: 'TSA certificate revocation not checked (skipped by policy)' };
  const chain: ChainLink[] = [];
  for (let i = 0; i + 1 < path.length; i++) {
    const certificate = path[i];
    const issuer = path[i + 1];
    if (certificate !== undefined && issuer !== undefined) chain.push({ certificate, issuer });
  }
  if (chain.length === 0) return { check: false, note: 'the TSA certificate is itself a trust anchor' };
  return { check: true, chain };
}

/**
 * `good`: the token may serve as proof of existence (`note` for the report, `warnings` for TSA
 * certificates revoked only after genTime); `revoked`: a certificate of the TSA path was revoked
 * at or before genTime, the token proves nothing; `try-later`: the status could not be
 * established (no source, no usable data, OCSP `unknown`), the token cannot be relied on now.
 */
export type TsaRevocationJudgement =
  | { status: 'good'; note: string; warnings: string[] }
  | { status: 'revoked'; message: string }
  | { status: 'try-later'; message: string };

export interface JudgeTsaRevocationInput {
  /** How messages name the token, e.g. `the signature time-stamp`. */
  name: string;
  /** How messages name the TSA certificate. */
  tsa: string;
  genTime: Date;
  /** The result of checking the planned chain at genTime; `null`: no revocation source at all. */
  result: RevocationCheckResult | null;
}

/**
 * Judges the revocation result of a TSA path at genTime (pure). A revocation after genTime does
 * not affect the token (the TSA's key was sound when it signed, RFC 3161 §4); one at or before
 * genTime, or a status that cannot be established, never passes silently.
 */
export function judgeTsaRevocation(input: JudgeTsaRevocationInput): TsaRevocationJudgement {
  const { name, tsa, genTime, result } = input;
  if (result === null) {
    return {
      status: 'try-later',
      message: `${name}: the revocation status of the TSA certificate ${tsa} could not be checked (no CRL or OCSP source configured), so the token is not used as proof of existence`,
    };
  }
  const first = result.certificates[0];
  if (result.status === 'revoked') {
    const c = result.certificates.find((x) => x.status === 'revoked' && (x.revokedAt === undefined || x.revokedAt.getTime() <= genTime.getTime()));
    const which = c === first ? `the TSA certificate ${tsa}` : `CA certificate ${c?.subject ?? ''} of the TSA`;
    const when = c?.revokedAt === undefined ? '' : ` at ${c.revokedAt.toISOString()}`;
    const why = c?.reason === undefined ? '' : ` (${c.reason})`;
    return { status: 'revoked', message: `${name} is no proof of existence: ${which} was revoked${when}${why}, not after the genTime ${genTime.toISOString()} (${c?.origin ?? c?.source ?? 'no source'})` };
  }
  if (result.status === 'try-later') {
    const open = result.certificates
      .filter((c) => c.status === 'unknown' || c.status === 'try-later')
      .map((c) => (c.status === 'unknown' ? `${c.subject}: the OCSP responder answered unknown` : `${c.subject}: ${c.problems.join('; ')}`));
    return {
      status: 'try-later',
      message: `${name}: the revocation status of the TSA certificate ${tsa} at genTime could not be established (${open.join(' | ')}), so the token is not used as proof of existence`,
    };
  }
  const warnings = result.certificates
    .filter((x) => x.status === 'revoked')
    .map((c) => `${c === first ? `the TSA certificate ${tsa}` : `CA certificate ${c.subject} of the TSA`} was revoked at ${c.revokedAt?.toISOString() ?? '?'}, after the genTime ${genTime.toISOString()} of ${name}`);
  return { status: 'good', note: `TSA certificate not revoked at genTime (${first?.origin ?? first?.source ?? 'checked'})`, warnings };
}
