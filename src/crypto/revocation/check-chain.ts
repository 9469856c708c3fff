/**
 * Revocation status of every certificate of a certification path (ETSI EN 319 102-1 §5.2.5/§5.2.6,
 * SPEC §4: CRL first, then OCSP), and the revocation data that decided it, to be stored with the
 * message (CAdES-LT style) so the evidence verifies later without the network.
 */
import { randomBytes } from 'node:crypto';
import { pemToDerList } from '../pem.ts';
import { readCertificate, type CertificateFacts } from './certificate-facts.ts';
import { checkCrl, crlIssuedBy, crlValidity, type CrlReason } from './crl.ts';
import type { CryptoResult } from '../types.ts';
import { fetchRevocationData, type FetchFailureCode, type FetchFunction, type FetchRevocationDataInput } from './fetch.ts';
import { buildOcspRequest, checkOcspResponse } from './ocsp.ts';

export interface ChainLink {
  /** DER of a certificate of the path (signer first; the trust anchor itself is not checked). */
  certificate: Uint8Array;
  /** DER of the certificate that issued it. */
  issuer: Uint8Array;
}

export interface NetworkAccess {
  fetch: FetchFunction;
  allowHosts: readonly string[];
  timeoutMs: number;
  maxBytes: number;
}

export interface RevocationSources {
  /** CRLs at hand: the trust store, the refreshed cache, evidence stored with a message. */
  crls: readonly Uint8Array[];
  /** OCSP responses at hand (stored evidence). */
  ocspResponses?: readonly Uint8Array[];
  /** Absent: offline, only the data at hand is used. */
  network?: NetworkAccess;
  trustedResponders?: readonly Uint8Array[];
}

export interface CheckRevocationInput {
  chain: readonly ChainLink[];
  sources: RevocationSources;
  /** Best signature time: a revocation after it does not affect this signature. */
  at: Date;
  /**
   * Validation time. The freshness of the revocation data is judged at `at` (a CRL or OCSP
   * response current at `at` or issued after it will do, ETSI EN 319 102-1 §5.2.5); `now` only
   * bounds thisUpdate from above (nothing from the future).
   */
  now: Date;
  /** Age limit for OCSP responses without nextUpdate; default 3600. */
  maxOcspAgeSeconds?: number;
  /** Sends a nonce with OCSP requests (default true); randomness is injectable. */
  ocspNonce?: boolean;
  random?: (size: number) => Buffer;
}

export type CertificateRevocationStatus = 'good' | 'revoked' | 'unknown' | 'try-later';

export interface CertificateRevocationOutcome {
  /** Hex serial number of the certificate. */
  serialNumber: string;
  subject: string;
  /** `unknown`: the OCSP responder does not know the certificate; `try-later`: no usable data. */
  status: CertificateRevocationStatus;
  source: 'crl' | 'ocsp' | null;
  /** Where the deciding data came from, e.g. `CRL at hand`, `OCSP http://ocsp.example/`. */
  origin?: string;
  revokedAt?: Date;
  reason?: CrlReason;
  /**
   * Why data at hand or fetched was not usable, in the order it was tried; also notes on data that
   * was used with a caveat (a delegated OCSP responder whose own status could not be established).
   */
  problems: string[];
}

export interface RevocationCheckResult {
  /**
   * `revoked`: some certificate was revoked at or before `at`; `try-later`: some certificate's
   * status could not be established (no usable data, or OCSP `unknown`) — INDETERMINATE upstream.
   */
  status: 'good' | 'revoked' | 'try-later';
  revokedAt?: Date;
  reason?: CrlReason;
  certificates: CertificateRevocationOutcome[];
  /** The CRLs and OCSP responses (DER) that decided each certificate's status. */
  evidence: { crls: Buffer[]; ocsp: Buffer[] };
}

type Decision = { status: 'good' | 'revoked' | 'unknown'; revokedAt?: Date; reason?: CrlReason };

function toDer(body: Buffer): Buffer {
  // Some CAs publish PEM at their distribution points even though RFC 5280 §4.2.1.13 says DER.
  if (body.subarray(0, 11).toString('latin1') === '-----BEGIN ') return pemToDerList(body, 'X509 CRL')[0] ?? body;
  return body;
}

type Fetched = CryptoResult<Buffer, FetchFailureCode>;
/** The checking logic yields the fetches it needs, so one body serves the async and the offline (sync) entry points. */
type Steps<T> = Generator<FetchRevocationDataInput, T, Fetched>;

function* checkOne(link: ChainLink, cert: CertificateFacts, issuer: CertificateFacts, input: CheckRevocationInput, evidence: RevocationCheckResult['evidence']): Steps<CertificateRevocationOutcome> {
  const problems: string[] = [];
  const outcome = (status: CertificateRevocationStatus, source: 'crl' | 'ocsp' | null, d?: Decision, origin?: string): CertificateRevocationOutcome => ({
    serialNumber: cert.serial.toString('hex'),
    subject: cert.x509.subject.replace(/\n/gu, ', '),
    status,
    source,
    ...(origin === undefined ? {} : { origin }),
    ...(d?.revokedAt === undefined ? {} : { revokedAt: d.revokedAt }),
    ...(d?.reason === undefined ? {} : { reason: d.reason }),
    problems,
  });
  const net = input.sources.network;

  const tryCrl = (der: Uint8Array, where: string): CertificateRevocationOutcome | null => {
    const r = checkCrl({ crlDer: der, certificate: link.certificate, issuer: link.issuer, now: input.now, at: input.at });
    if (r.status === 'unknown') {
      problems.push(...r.problems.map((p) => `${where}: ${p}`));
      return null;
    }
    evidence.crls.push(Buffer.from(der));
    return outcome(r.status, 'crl', r, where);
  };

  // The latest CRL first: one issued after `at` is the best evidence of the status at `at`
  // (ETSI EN 319 102-1 §5.2.5), and a later CRL lists every revocation an earlier one does.
  const latestFirst = input.sources.crls
    .filter((crl) => crlIssuedBy(crl, issuer.subjectDer))
    .map((crl) => ({ crl, issued: crlValidity(crl)?.thisUpdate.getTime() ?? 0 }))
    .sort((a, b) => b.issued - a.issued);
  for (const { crl } of latestFirst) {
    const done = tryCrl(crl, 'CRL at hand');
    if (done !== null) return done;
  }
  if (net !== undefined) {
    for (const url of cert.crlUrls) {
      const fetched = yield ({ url, kind: 'crl', allowHosts: net.allowHosts, timeoutMs: net.timeoutMs, maxBytes: net.maxBytes, fetch: net.fetch });
      if (!fetched.ok) {
        problems.push(`CRL ${url}: ${fetched.error.code} ${fetched.error.message}`);
        continue;
      }
      const done = tryCrl(toDer(fetched.value), `CRL ${url}`);
      if (done !== null) return done;
    }
  }

  const ocspCommon = {
    certificate: link.certificate,
    issuer: link.issuer,
    now: input.now,
    at: input.at,
    maxAgeSeconds: input.maxOcspAgeSeconds ?? 3600,
    ...(input.sources.trustedResponders === undefined ? {} : { trustedResponders: input.sources.trustedResponders }),
  };
  const tryOcsp = function* (der: Uint8Array, where: string, nonce: Buffer | undefined): Steps<CertificateRevocationOutcome | null> {
    const r = checkOcspResponse({ ...ocspCommon, responseDer: der, ...(nonce === undefined ? {} : { nonce }) });
    if (r.problems.length > 0) {
      problems.push(...r.problems.map((p) => `${where}: ${p}`));
      return null;
    }
    if (r.responderCertificate !== null) {
      const responder = yield* delegatedResponderProblem(r.responderCertificate, issuer, link, r.producedAt ?? input.now, input, evidence);
      if (responder !== null && 'reject' in responder) {
        problems.push(`${where}: ${responder.reject}`);
        return null;
      }
      if (responder !== null) problems.push(`${where}: ${responder.note}`);
    }
    evidence.ocsp.push(Buffer.from(der));
    return outcome(r.status, 'ocsp', r, where);
  };
  for (const stored of input.sources.ocspResponses ?? []) {
    const r = checkOcspResponse({ ...ocspCommon, responseDer: stored });
    // Stored responses about other certificates are expected in a bundle; only matching ones count.
    if (r.problems.some((p) => p.startsWith('no SingleResponse'))) continue;
    const done = yield* tryOcsp(stored, 'OCSP response at hand', undefined);
    if (done !== null) return done;
  }
  if (net !== undefined) {
    for (const url of cert.ocspUrls) {
      const nonce = input.ocspNonce === false ? undefined : (input.random ?? randomBytes)(32);
      const request = buildOcspRequest({ certificate: link.certificate, issuer: link.issuer, ...(nonce === undefined ? {} : { nonce }) });
      if (!request.ok) {
        problems.push(`OCSP ${url}: ${request.error.message}`);
        continue;
      }
      const fetched = yield ({ url, kind: 'ocsp', body: request.value, allowHosts: net.allowHosts, timeoutMs: net.timeoutMs, maxBytes: net.maxBytes, fetch: net.fetch });
      if (!fetched.ok) {
        problems.push(`OCSP ${url}: ${fetched.error.code} ${fetched.error.message}`);
        continue;
      }
      const done = yield* tryOcsp(fetched.value, `OCSP ${url}`, nonce);
      if (done !== null) return done;
    }
  }
  if (problems.length === 0) problems.push(net === undefined ? 'no revocation data at hand and the network is not available' : 'the certificate names no usable CRL distribution point or OCSP responder');
  return outcome('try-later', null);
}

/**
 * RFC 6960 §4.2.2.2.1: a delegated responder's certificate (issued by the CA, id-kp-OCSPSigning)
 * must itself not be revoked — unless it carries id-pkix-ocsp-nocheck, by which the CA says it
 * need not be checked for its lifetime. The CA's own key and locally trusted responders are
 * trusted as such. The responder's status is taken from CRLs (at hand, then its distribution
 * points) at producedAt, not from OCSP, which would ask the same responder about itself.
 * Returns `{ reject }` when the responder was revoked before it produced the response, `{ note }`
 * when its status could not be established: the RFC leaves that case to local policy, and this
 * validator then still uses the response (the note is kept with the outcome's problems) rather
 * than refuse every response of a responder whose CRL is briefly unreachable.
 */
function* delegatedResponderProblem(
  responderDer: Buffer,
  issuer: CertificateFacts,
  link: ChainLink,
  producedAt: Date,
  input: CheckRevocationInput,
  evidence: RevocationCheckResult['evidence'],
): Steps<{ reject: string } | { note: string } | null> {
  const responder = readCertificate(responderDer);
  if (responder === null) return { reject: 'the responder certificate cannot be parsed' };
  if (responder.spkiDer.equals(issuer.spkiDer)) return null;
  if ((input.sources.trustedResponders ?? []).some((t) => Buffer.from(t).equals(responder.der))) return null;
  if (responder.ocspNoCheck) return null;
  const tried: string[] = [];
  const decide = (der: Uint8Array, where: string): { reject: string } | null | undefined => {
    const r = checkCrl({ crlDer: der, certificate: responder.der, issuer: link.issuer, now: input.now, at: producedAt });
    if (r.status === 'unknown') {
      tried.push(...r.problems.map((p) => `${where}: ${p}`));
      return undefined;
    }
    evidence.crls.push(Buffer.from(der));
    if (r.status === 'revoked' && r.revokedAt !== undefined && r.revokedAt.getTime() > producedAt.getTime()) return null;
    return r.status === 'revoked' ? { reject: `the delegated responder certificate was revoked${r.revokedAt === undefined ? '' : ` at ${r.revokedAt.toISOString()}`}, before the response was produced (${where})` } : null;
  };
  for (const crl of input.sources.crls) {
    if (!crlIssuedBy(crl, issuer.subjectDer)) continue;
    const d = decide(crl, 'CRL at hand');
    if (d !== undefined) return d;
  }
  const net = input.sources.network;
  if (net !== undefined) {
    for (const url of responder.crlUrls) {
      const fetched = yield ({ url, kind: 'crl', allowHosts: net.allowHosts, timeoutMs: net.timeoutMs, maxBytes: net.maxBytes, fetch: net.fetch });
      if (!fetched.ok) {
        tried.push(`CRL ${url}: ${fetched.error.code} ${fetched.error.message}`);
        continue;
      }
      const d = decide(toDer(fetched.value), `CRL ${url}`);
      if (d !== undefined) return d;
    }
  }
  const detail = tried.length === 0 ? 'no CRL of its issuer at hand' : tried.join('; ');
  return { note: `the delegated responder certificate lacks id-pkix-ocsp-nocheck and its own revocation status could not be established (${detail}); the response is used per local policy (RFC 6960 §4.2.2.2.1)` };
}

function* checkChain(input: CheckRevocationInput): Steps<RevocationCheckResult> {
  const evidence: RevocationCheckResult['evidence'] = { crls: [], ocsp: [] };
  const certificates: CertificateRevocationOutcome[] = [];
  for (const link of input.chain) {
    const cert = readCertificate(link.certificate);
    const issuer = readCertificate(link.issuer);
    if (cert === null || issuer === null) {
      certificates.push({ serialNumber: '', subject: '', status: 'try-later', source: null, problems: ['the certificate or its issuer cannot be parsed'] });
      continue;
    }
    certificates.push(yield* checkOne(link, cert, issuer, input, evidence));
  }
  const dedupe = (list: Buffer[]): Buffer[] => list.filter((b, i) => list.findIndex((o) => o.equals(b)) === i);
  const result = { certificates, evidence: { crls: dedupe(evidence.crls), ocsp: dedupe(evidence.ocsp) } };
  const revokedBefore = certificates
    .filter((c) => c.status === 'revoked' && (c.revokedAt === undefined || c.revokedAt.getTime() <= input.at.getTime()))
    .sort((a, b) => (a.revokedAt?.getTime() ?? 0) - (b.revokedAt?.getTime() ?? 0))[0];
  if (revokedBefore !== undefined) {
    return { status: 'revoked', ...(revokedBefore.revokedAt === undefined ? {} : { revokedAt: revokedBefore.revokedAt }), ...(revokedBefore.reason === undefined ? {} : { reason: revokedBefore.reason }), ...result };
  }
  if (certificates.some((c) => c.status === 'unknown' || c.status === 'try-later')) return { status: 'try-later', ...result };
  return { status: 'good', ...result };
}

/**
 * Establishes the revocation status of each certificate of `chain` and of the chain as a whole at
 * the best signature time `at`: a certificate revoked after `at` does not invalidate the signature
 * (ETSI EN 319 102-1 §5.2.6, past signature validation with a proof of existence before revocation).
 */
export async function checkRevocation(input: CheckRevocationInput): Promise<RevocationCheckResult> {
  const steps = checkChain(input);
  let step = steps.next();
  while (step.done !== true) step = steps.next(await fetchRevocationData(step.value));
  return step.value;
}

/**
 * {@link checkRevocation} without the network, synchronously: only the CRLs and OCSP responses at
 * hand (stored evidence, the trust store's CRLs) are used; `sources.network` is ignored.
 */
export function checkRevocationOffline(input: CheckRevocationInput): RevocationCheckResult {
  const src = input.sources;
  const offline: RevocationSources = {
    crls: src.crls,
    ...(src.ocspResponses === undefined ? {} : { ocspResponses: src.ocspResponses }),
    ...(src.trustedResponders === undefined ? {} : { trustedResponders: src.trustedResponders }),
  };
  const steps = checkChain({ ...input, sources: offline });
  let step = steps.next();
  // Without network access checkOne never asks for a fetch; answer defensively if it ever does.
  while (step.done !== true) step = steps.next({ ok: false, error: { code: 'NOT_ALLOWED', message: `${step.value.url}: offline validation does not fetch` } });
  return step.value;
}
