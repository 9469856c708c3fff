/**
 * OCSP (RFC 6960): building a request for one certificate and judging a response. pkijs parses the
 * response; the signature, the responder's authorisation, the CertID, freshness and the nonce are
 * checked here, because pkijs's own verification skips them (and reports `unknown` as revoked).
 */
import { createHash, randomBytes } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { children, explicit, integer, nullDer, octetString, oid, seq } from '../der-writer.ts';
import { EXTENDED_KEY_USAGE_OIDS } from '../x509-issue.ts';
import { OID } from '../oids.ts';
import type { CryptoResult } from '../types.ts';
import { isIssuedBy, readCertificate, normalizeSerial, type CertificateFacts } from './certificate-facts.ts';
import { CRL_REASONS, type CrlReason, type RevocationStatus } from './crl.ts';
import { signatureProblem } from './signature-check.ts';

const OID_SHA1 = '1.3.14.3.2.26';
const OID_OCSP_BASIC = '1.3.6.1.5.5.7.48.1.1';
const OID_OCSP_NONCE = '1.3.6.1.5.5.7.48.1.2';

/** Hash for the CertID (RFC 6960 §4.1.1). SHA-1 is what OpenSSL and most responders expect by default. */
export type CertIdHash = 'sha1' | 'sha256';

const CERT_ID_HASHES: Record<string, string> = {
  [OID_SHA1]: 'sha1',
  [OID.sha256]: 'sha256',
  [OID.sha384]: 'sha384',
  [OID.sha512]: 'sha512',
};

const RESPONSE_STATUS = ['successful', 'malformedRequest', 'internalError', 'tryLater', 'unused-4', 'sigRequired', 'unauthorized'] as const;

export interface BuildOcspRequestInput {
  certificate: Uint8Array;
  issuer: Uint8Array;
  /** The nonce octets (RFC 8954 recommends 32); omit for no nonce extension. */
  nonce?: Uint8Array;
  /** Default `sha1` (RFC 5019 §2.1.1 profile, OpenSSL's default). */
  hash?: CertIdHash;
}

/** A fresh 32-octet nonce (RFC 8954 §2.1); randomness is a parameter for tests. */
export function createOcspNonce(random: (size: number) => Buffer = randomBytes): Buffer {
  return random(32);
}

function certIdFor(cert: CertificateFacts, issuer: CertificateFacts, hash: string, hashOid: string): Buffer {
  return seq(
    seq(oid(hashOid), nullDer()),
    octetString(createHash(hash).update(issuer.subjectDer).digest()),
    octetString(createHash(hash).update(issuer.subjectPublicKeyBits).digest()),
    integer(cert.serial.length > 0 && ((cert.serial[0] ?? 0) & 0x80) !== 0 ? Buffer.concat([Buffer.of(0), cert.serial]) : cert.serial),
  );
}

/**
 * DER OCSPRequest (RFC 6960 §4.1.1) for one certificate, unsigned, with an optional nonce
 * extension (RFC 8954: the extnValue is an OCTET STRING holding the nonce).
 */
export function buildOcspRequest(input: BuildOcspRequestInput): CryptoResult<Buffer, 'BAD_CERTIFICATE'> {
  const cert = readCertificate(input.certificate);
  const issuer = readCertificate(input.issuer);
  if (cert === null || issuer === null) return { ok: false, error: { code: 'BAD_CERTIFICATE', message: 'the certificate or its issuer cannot be parsed' } };
  if (!cert.issuerDer.equals(issuer.subjectDer)) {
    return { ok: false, error: { code: 'BAD_CERTIFICATE', message: 'the issuer certificate does not match the certificate issuer name' } };
  }
  const hash = input.hash ?? 'sha1';
  const request = seq(certIdFor(cert, issuer, hash, hash === 'sha1' ? OID_SHA1 : OID.sha256));
  const extensions = input.nonce === undefined ? [] : [explicit(2, seq(seq(oid(OID_OCSP_NONCE), octetString(octetString(input.nonce)))))];
  return { ok: true, value: seq(seq(seq(request), ...extensions)) };
}

export interface CheckOcspResponseInput {
  responseDer: Uint8Array;
  certificate: Uint8Array;
  issuer: Uint8Array;
  /** Responder certificates trusted by local configuration (RFC 6960 §4.2.2.2, first case). */
  trustedResponders?: readonly Uint8Array[];
  now: Date;
  /**
   * The time the status is asked for (the best signature time); default `now`. Freshness is judged
   * at it, as for CRLs (see `checkCrl`); the responder certificate must be valid at producedAt.
   */
  at?: Date;
  /** When the response has no nextUpdate, thisUpdate must be at most this old (relative to `at`). */
  maxAgeSeconds: number;
  /** Tolerated clock difference for thisUpdate/producedAt in the future; default 300. */
  skewSeconds?: number;
  /** The nonce sent in the request; the response must echo it. */
  nonce?: Uint8Array;
}

export interface OcspCheckResult {
  /** The conclusion: `unknown` when the responder said unknown OR the response cannot be relied on. */
  status: RevocationStatus;
  /** What the responder asserted for the certificate, before our checks; `null` when not readable. */
  responderStatus: RevocationStatus | null;
  /** The OCSPResponseStatus name, e.g. `successful`, `tryLater`. */
  responseStatus: string | null;
  revokedAt?: Date;
  reason?: CrlReason;
  thisUpdate: Date | null;
  nextUpdate: Date | null;
  producedAt: Date | null;
  /** DER of the certificate that signed the response, when found. */
  responderCertificate: Buffer | null;
  problems: string[];
}

interface ParsedBasic {
  basic: pkijs.BasicOCSPResponse;
  tbs: Buffer;
  responderId: { byName: Buffer } | { byKey: Buffer };
  certs: CertificateFacts[];
}

function parseBasic(bytes: Uint8Array): ParsedBasic | string {
  let basic: pkijs.BasicOCSPResponse;
  try {
    basic = pkijs.BasicOCSPResponse.fromBER(Buffer.from(bytes));
  } catch {
    return 'the BasicOCSPResponse cannot be parsed';
  }
  try {
    const [tbs] = children(bytes);
    if (tbs === undefined) return 'the BasicOCSPResponse is empty';
    const fields = children(tbs.bytes);
    const rid = fields[0]?.tag === 0xa0 ? fields[1] : fields[0];
    const inner = rid === undefined ? undefined : children(Buffer.concat([Buffer.of(0x30), rid.bytes.subarray(1)]))[0];
    if (rid === undefined || inner === undefined) return 'the responderID is missing';
    let responderId: ParsedBasic['responderId'];
    if (rid.tag === 0xa1) responderId = { byName: inner.bytes };
    else if (rid.tag === 0xa2 && inner.tag === 0x04) responderId = { byKey: inner.content };
    else return 'the responderID is malformed';
    const certs: CertificateFacts[] = [];
    for (const c of basic.certs ?? []) {
      const facts = readCertificate(Buffer.from(c.toSchema().toBER()));
      if (facts !== null) certs.push(facts);
    }
    return { basic, tbs: tbs.bytes, responderId, certs };
  } catch {
    return 'the BasicOCSPResponse is not valid DER';
  }
}

function matchesResponderId(id: ParsedBasic['responderId'], cert: CertificateFacts): boolean {
  if ('byName' in id) return id.byName.equals(cert.subjectDer);
  // KeyHash: SHA-1 of the subjectPublicKey BIT STRING value (RFC 6960 §4.2.1).
  return id.byKey.equals(createHash('sha1').update(cert.subjectPublicKeyBits).digest());
}

function sameKey(a: CertificateFacts, b: CertificateFacts): boolean {
  return a.subjectDer.equals(b.subjectDer) && a.spkiDer.equals(b.spkiDer);
}

function certStatusOf(block: unknown): { status: RevocationStatus; revokedAt?: Date; reason?: CrlReason } | null {
  if (!(block instanceof asn1js.BaseBlock) || block.idBlock.tagClass !== 3) return null;
  switch (block.idBlock.tagNumber) {
    case 0:
      return { status: 'good' };
    case 2:
      return { status: 'unknown' };
    case 1: {
      const inner: unknown = (block.valueBlock as { value?: unknown }).value;
      if (!Array.isArray(inner)) return null;
      const [time, reasonTagged] = inner as unknown[];
      if (!(time instanceof asn1js.GeneralizedTime)) return null;
      let reason: CrlReason | undefined;
      if (reasonTagged instanceof asn1js.Constructed) {
        const e = reasonTagged.valueBlock.value[0];
        if (e instanceof asn1js.Enumerated) reason = CRL_REASONS[e.valueBlock.valueDec];
      }
      return { status: 'revoked', revokedAt: time.toDate(), ...(reason === undefined ? {} : { reason }) };
    }
    default:
      return null;
  }
}

function certIdMatches(id: pkijs.CertID, cert: CertificateFacts, issuer: CertificateFacts): boolean {
  const hash = CERT_ID_HASHES[id.hashAlgorithm.algorithmId];
  if (hash === undefined) return false;
  return (
    Buffer.from(id.issuerNameHash.valueBlock.valueHexView).equals(createHash(hash).update(issuer.subjectDer).digest()) &&
    Buffer.from(id.issuerKeyHash.valueBlock.valueHexView).equals(createHash(hash).update(issuer.subjectPublicKeyBits).digest()) &&
    normalizeSerial(id.serialNumber.valueBlock.valueHexView).equals(cert.serial)
  );
}

function validAt(cert: CertificateFacts, now: Date): boolean {
  return cert.notBefore.getTime() <= now.getTime() && now.getTime() <= cert.notAfter.getTime();
}

/**
 * Whether `candidate` may sign OCSP responses about certificates of `issuer` (RFC 6960 §4.2.2.2):
 * it is the issuer itself, a locally trusted responder, or a certificate issued directly by the
 * issuer carrying id-kp-OCSPSigning. Returns the reason when it may not.
 */
function authorisationProblem(candidate: CertificateFacts, issuer: CertificateFacts, trusted: readonly CertificateFacts[], now: Date): string | null {
  if (sameKey(candidate, issuer)) return null;
  if (trusted.some((t) => t.der.equals(candidate.der))) return null;
  if (!isIssuedBy(candidate, issuer)) return 'the responder certificate is neither the issuer, a trusted responder, nor issued by the issuer';
  if (candidate.extendedKeyUsage?.oids.includes(EXTENDED_KEY_USAGE_OIDS.OCSPSigning) !== true) {
    return 'the responder certificate lacks the id-kp-OCSPSigning extended key usage';
  }
  if (!validAt(candidate, now)) return `the responder certificate is not valid at ${now.toISOString()}`;
  return null;
}

/**
 * Judges an OCSPResponse (RFC 6960 §4.2) about `certificate`: responseStatus successful, a
 * BasicOCSPResponse whose signature verifies with an authorised responder's key, a SingleResponse
 * whose CertID matches, thisUpdate not in the future (beyond skew), nextUpdate after `now` (or,
 * without nextUpdate, thisUpdate within `maxAgeSeconds`), and the nonce echoed when one was sent.
 * Any problem makes `status` `unknown`; a responder's `unknown` stays `unknown` (INDETERMINATE upstream).
 */
export function checkOcspResponse(input: CheckOcspResponseInput): OcspCheckResult {
  const result: OcspCheckResult = {
    status: 'unknown',
    responderStatus: null,
    responseStatus: null,
    thisUpdate: null,
    nextUpdate: null,
    producedAt: null,
    responderCertificate: null,
    problems: [],
  };
  const fail = (problem: string): OcspCheckResult => ({ ...result, status: 'unknown', problems: [...result.problems, problem] });
  const cert = readCertificate(input.certificate);
  const issuer = readCertificate(input.issuer);
  if (cert === null || issuer === null) return fail('the certificate or its issuer cannot be parsed');

  let response: pkijs.OCSPResponse;
  try {
    response = pkijs.OCSPResponse.fromBER(Buffer.from(input.responseDer));
  } catch {
    return fail('the OCSP response cannot be parsed');
  }
  const statusCode = response.responseStatus.valueBlock.valueDec;
  result.responseStatus = RESPONSE_STATUS[statusCode] ?? `status-${statusCode}`;
  if (statusCode !== 0) return fail(`the responder answered ${result.responseStatus}`);
  if (response.responseBytes === undefined || response.responseBytes.responseType !== OID_OCSP_BASIC) {
    return fail('the OCSP response is not a BasicOCSPResponse');
  }
  const parsed = parseBasic(response.responseBytes.response.valueBlock.valueHexView);
  if (typeof parsed === 'string') return fail(parsed);
  const data = parsed.basic.tbsResponseData;
  result.producedAt = data.producedAt;

  const trusted = (input.trustedResponders ?? []).map((d) => readCertificate(d)).filter((c): c is CertificateFacts => c !== null);
  const candidates = [issuer, ...trusted, ...parsed.certs].filter((c) => matchesResponderId(parsed.responderId, c));
  let responder: CertificateFacts | undefined;
  const signerProblems: string[] = [];
  for (const candidate of candidates) {
    const problem = signatureProblem({
      algorithm: parsed.basic.signatureAlgorithm.algorithmId,
      parameters: parsed.basic.signatureAlgorithm.algorithmParams,
      data: parsed.tbs,
      signature: parsed.basic.signature.valueBlock.valueHexView,
      publicKey: candidate.publicKey,
    });
    if (problem === null) {
      responder = candidate;
      break;
    }
    signerProblems.push(problem);
  }
  if (responder === undefined) {
    result.problems.push(candidates.length === 0 ? 'no certificate matches the responderID' : `OCSP signature: ${signerProblems[0] ?? 'does not verify'}`);
  } else {
    result.responderCertificate = responder.der;
    // The responder certificate must have been valid when it signed (producedAt), not necessarily
    // today: a stored response keeps proving the status at the best signature time.
    const signedAt = data.producedAt.getTime() <= input.now.getTime() ? data.producedAt : input.now;
    const auth = authorisationProblem(responder, issuer, trusted, signedAt);
    if (auth !== null) result.problems.push(auth);
  }

  const single = data.responses.find((r) => certIdMatches(r.certID, cert, issuer));
  if (single === undefined) return fail('no SingleResponse matches the CertID of the certificate');
  result.thisUpdate = single.thisUpdate;
  result.nextUpdate = single.nextUpdate ?? null;
  const status = certStatusOf(single.certStatus);
  if (status === null) return fail('the certStatus is malformed');
  result.responderStatus = status.status;

  const skewMs = (input.skewSeconds ?? 300) * 1000;
  const now = input.now.getTime();
  // Freshness at the time asked for (ETSI EN 319 102-1 §5.2.5): current then, or issued after it.
  const at = (input.at ?? input.now).getTime();
  if (single.thisUpdate.getTime() > now + skewMs) result.problems.push(`the OCSP thisUpdate ${single.thisUpdate.toISOString()} is in the future`);
  if (single.nextUpdate !== undefined) {
    if (single.nextUpdate.getTime() <= at) result.problems.push(`the OCSP response is stale: nextUpdate ${single.nextUpdate.toISOString()} has passed`);
  } else if (at - single.thisUpdate.getTime() > input.maxAgeSeconds * 1000) {
    result.problems.push(`the OCSP response is stale: thisUpdate ${single.thisUpdate.toISOString()} is older than ${input.maxAgeSeconds} s`);
  }

  if (input.nonce !== undefined) {
    const ext = (data.responseExtensions ?? []).find((e) => e.extnID === OID_OCSP_NONCE);
    const expected = octetString(input.nonce);
    if (ext === undefined) result.problems.push('the response does not echo the request nonce');
    else if (!Buffer.from(ext.extnValue.valueBlock.valueHexView).equals(expected)) result.problems.push('the response nonce differs from the request nonce');
  }

  if (result.problems.length > 0) return { ...result, status: 'unknown' };
  if (status.status === 'revoked') {
    return { ...result, status: 'revoked', ...(status.revokedAt === undefined ? {} : { revokedAt: status.revokedAt }), ...(status.reason === undefined ? {} : { reason: status.reason }) };
  }
  return { ...result, status: status.status };
}
