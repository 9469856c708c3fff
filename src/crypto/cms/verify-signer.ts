/**
 * Validation of one SignerInfo (ETSI EN 319 102-1 §5.2 building blocks, for CAdES-BES per
 * ETSI EN 319 122-1): format, identification of the signing certificate, cryptographic
 * verification, X.509 path, validity at signing time, key usage, revocation.
 */
import { timingSafeEqual, verify } from 'node:crypto';
import * as asn1js from 'asn1js';
import { digestAlgorithmFromOid, digestBytes, nodeHashName, type DigestAlgorithm } from '../digest.ts';
import { gostVerify } from '../gost/index.ts';
import { OID } from '../oids.ts';
import type { ChainLink, RevocationCheckResult } from '../revocation/index.ts';
import { judgeTsaRevocation, planTsaRevocation, timestampImprint, timestampImprintAlgorithm, verifyTimestampToken } from '../timestamp/index.ts';
import type { CertificateSummary, RevocationCertificateStatus, TimestampSummary, TrustAnchor, ValidationPolicy, ValidationReport } from '../types.ts';
import { nodeKeyOptions, parseSignatureAlgorithm, signatureSchemeName, type SignatureScheme } from './algorithms.ts';
import { buildCertificationPath, type ParsedAnchor } from './certification-path.ts';
import { summarizeCertificate } from './certificate-summary.ts';
import { formatName } from './distinguished-name.ts';
import { essCertIdMatches, OID_SIGNING_CERTIFICATE_V1, parseEssCertId, type EssCertId } from './ess-signing-certificate.ts';
import type { ParsedSignedData, ParsedSignerInfo, SignedAttribute } from './parse-signed-data.ts';
import { parseCertificate, type ParsedCertificate } from './parsed-certificate.ts';
import { createReportBuilder, type ReportBuilder } from './report-builder.ts';

const EKU_EMAIL_PROTECTION = '1.3.6.1.5.5.7.3.4';
const EKU_ANY = '2.5.29.37.0';
const KEY_TYPES: Record<Exclude<SignatureScheme['family'], 'gost2012'>, readonly string[]> = {
  'rsa-pkcs1': ['rsa'],
  'rsa-pss': ['rsa', 'rsa-pss'],
  ecdsa: ['ec'],
};

export interface VerifySignerContext {
  signedData: ParsedSignedData;
  certificates: readonly ParsedCertificate[];
  anchors: readonly ParsedAnchor[];
  /** Anchors for TSA certificates of signature time-stamps. */
  timestampAnchors: readonly TrustAnchor[];
  contentDigests: Partial<Record<DigestAlgorithm, Buffer>>;
  policy: ValidationPolicy;
  now: Date;
  /**
   * Signature time-stamp tokens (DER) kept beside the signature rather than embedded in it; each
   * SignerInfo uses those whose message imprint is the digest of its signature value.
   */
  detachedTimestamps?: readonly Uint8Array[];
}

interface Attributes {
  contentType: string;
  messageDigest: Buffer;
  signingTime: Date;
  ess: { version: 1 | 2; id: EssCertId } | undefined;
}

function single(attrs: readonly SignedAttribute[], type: string, name: string): asn1js.AsnType | string | undefined {
  const found = attrs.filter((a) => a.type === type);
  if (found.length === 0) return undefined;
  const first = found[0];
  // RFC 5652 §5.3/§11: these attributes occur once, with exactly one value.
  if (found.length > 1 || first === undefined || first.values.length !== 1) return `the ${name} attribute must occur once with one value`;
  return first.values[0];
}

/** Format building block: the signed attributes CAdES-BES requires, well formed. */
function readAttributes(sd: ParsedSignedData, si: ParsedSignerInfo, ctx: VerifySignerContext, b: ReportBuilder): Attributes | undefined {
  if (sd.hasEContent) {
    b.fail('format', 'TOTAL-FAILED', 'FORMAT_FAILURE', 'the signature encapsulates its content; a detached signature is expected');
    return undefined;
  }
  if (si.signedAttrsDer === undefined || si.signedAttrs.length === 0) {
    b.fail('format', 'TOTAL-FAILED', 'FORMAT_FAILURE', 'the SignerInfo has no signed attributes');
    return undefined;
  }
  const attrs = si.signedAttrs;
  const md = single(attrs, OID.messageDigest, 'messageDigest');
  if (!(md instanceof asn1js.OctetString)) {
    b.fail('format', 'TOTAL-FAILED', 'FORMAT_FAILURE', typeof md === 'string' ? md : 'the messageDigest attribute is missing or not an OCTET STRING');
    return undefined;
  }
  let ess: Attributes['ess'];
  for (const [version, type, name] of [[2, OID.signingCertificateV2, 'signing-certificate-v2'], [1, OID_SIGNING_CERTIFICATE_V1, 'signing-certificate']] as const) {
    if (ess !== undefined) break;
    const v = single(attrs, type, name);
    if (v === undefined) continue;
    const id = typeof v === 'string' ? null : parseEssCertId(v, version);
    if (id === null) {
      b.fail('format', 'TOTAL-FAILED', 'FORMAT_FAILURE', `the ${name} attribute is malformed or uses an unknown hash`);
      return undefined;
    }
    ess = { version, id };
  }
  b.pass('format');

  const ct = single(attrs, OID.contentType, 'contentType');
  if (!(ct instanceof asn1js.ObjectIdentifier)) {
    b.fail('content-type', 'TOTAL-FAILED', 'FORMAT_FAILURE', typeof ct === 'string' ? ct : 'the contentType attribute is missing');
    return undefined;
  }
  const contentType = ct.valueBlock.toString();
  if (contentType !== OID.data || contentType !== sd.eContentType) {
    // RFC 5652 §5.3: contentType must equal eContentType; the gateway signs only id-data.
    b.fail('content-type', 'TOTAL-FAILED', 'FORMAT_FAILURE', `contentType attribute ${contentType} (eContentType ${sd.eContentType}) is not id-data`);
    return undefined;
  }
  b.pass('content-type');

  const st = single(attrs, OID.signingTime, 'signingTime');
  if (!(st instanceof asn1js.UTCTime || st instanceof asn1js.GeneralizedTime)) {
    b.fail('signing-time', 'TOTAL-FAILED', 'FORMAT_FAILURE', typeof st === 'string' ? st : 'the signingTime attribute is missing');
    return undefined;
  }
  const signingTime = st.toDate();
  if (Number.isNaN(signingTime.getTime())) {
    b.fail('signing-time', 'TOTAL-FAILED', 'FORMAT_FAILURE', 'the signingTime attribute is not a valid time');
    return undefined;
  }
  const skewMs = ctx.policy.maxFutureSkewSeconds * 1000;
  if (signingTime.getTime() > ctx.now.getTime() + skewMs) {
    b.fail(
      'signing-time',
      'TOTAL-FAILED',
      'FORMAT_FAILURE',
      `signingTime ${signingTime.toISOString()} is later than the validation time ${ctx.now.toISOString()} plus ${ctx.policy.maxFutureSkewSeconds} s`,
    );
    return undefined;
  }
  b.pass('signing-time');
  return { contentType, messageDigest: Buffer.from(md.valueBlock.valueHexView), signingTime, ess };
}

function findSigner(si: ParsedSignerInfo, certs: readonly ParsedCertificate[]): ParsedCertificate | undefined {
  const sid = si.sid;
  return certs.find((c) =>
    sid.kind === 'issuer-serial'
      ? c.issuerDer.equals(sid.issuerDer) && c.serialValue.equals(sid.serialValue)
      : c.subjectKeyId !== undefined && c.subjectKeyId.equals(sid.keyId),
  );
}

function certLabel(c: ParsedCertificate): string {
  return formatName(c.subjectDer) ?? '(unreadable name)';
}

/**
 * `bestSignatureTime` is the validation time, or the genTime of a verified signature time-stamp:
 * a certificate that expired after it is fine (ETSI EN 319 102-1 §5.5.4, POE before expiry).
 */
function checkValidity(chain: readonly ParsedCertificate[], signingTime: Date, bestSignatureTime: Date, timestamped: boolean, b: ReportBuilder): void {
  const now = bestSignatureTime;
  const signer = chain[0];
  if (signer !== undefined && signer.notBefore.getTime() > signingTime.getTime()) {
    b.fail(
      'validity',
      'TOTAL-FAILED',
      'NOT_YET_VALID',
      `the signer certificate ${certLabel(signer)} is valid from ${signer.notBefore.toISOString()}, after the claimed signing time ${signingTime.toISOString()}`,
    );
    return;
  }
  for (const c of chain) {
    const expiry = c.notAfter.getTime();
    if (expiry < signingTime.getTime() || expiry < now.getTime()) {
      const when = expiry < signingTime.getTime()
        ? `the signing time ${signingTime.toISOString()}`
        : `${timestamped ? 'the time-stamp genTime' : 'the validation time'} ${now.toISOString()}`;
      // ETSI EN 319 102-1 §5.2.7: without a proof of existence before expiry, the result is open.
      b.fail(
        'validity',
        'INDETERMINATE',
        'OUT_OF_BOUNDS_NO_POE',
        `certificate ${certLabel(c)} expired at ${c.notAfter.toISOString()}, before ${when}; no proof of existence before expiry`,
      );
      return;
    }
    if (c.notBefore.getTime() > signingTime.getTime()) {
      b.fail(
        'validity',
        'INDETERMINATE',
        'CHAIN_CONSTRAINTS_FAILURE',
        `CA certificate ${certLabel(c)} is valid from ${c.notBefore.toISOString()}, after the signing time ${signingTime.toISOString()}`,
      );
      return;
    }
  }
  b.pass('validity');
}

function checkKeyUsage(signer: ParsedCertificate, b: ReportBuilder): void {
  if (signer.keyUsage === null) {
    b.warn('the signer certificate has no keyUsage extension');
  } else if (!signer.keyUsage.includes('digitalSignature') && !signer.keyUsage.includes('nonRepudiation')) {
    b.fail(
      'key-usage',
      'INDETERMINATE',
      'CHAIN_CONSTRAINTS_FAILURE',
      `the signer certificate keyUsage (${signer.keyUsage.join(', ') || 'empty'}) allows neither digitalSignature nor nonRepudiation`,
    );
    return;
  }
  const eku = signer.extendedKeyUsage;
  if (eku !== null && !eku.includes(EKU_EMAIL_PROTECTION) && !eku.includes(EKU_ANY)) {
    b.warn('the signer certificate extendedKeyUsage has neither emailProtection nor anyExtendedKeyUsage');
  }
  b.pass('key-usage');
}

/**
 * GOST R 34.10-2012 (RFC 9215 §3, RFC 7091 §6.2): Streebog of the signed attributes, verified with
 * the certificate's GOST key, whose size must be the digest's (a Streebog-256 digest cannot stand
 * for a 512-bit key's, nor the reverse).
 */
function verifyGostSignatureValue(si: ParsedSignerInfo, signer: ParsedCertificate, scheme: SignatureScheme, b: ReportBuilder): void {
  const key = signer.gostPublicKey;
  if (key === undefined) {
    b.fail('signature', 'TOTAL-FAILED', 'SIG_CRYPTO_FAILURE', `the signer key (${signer.publicKey?.asymmetricKeyType ?? signer.spkiAlgorithm}) is not a GOST R 34.10-2012 key`);
    return;
  }
  if (!key.ok) {
    b.fail('signature', 'TOTAL-FAILED', 'SIG_CRYPTO_FAILURE', `the signer certificate's GOST public key is unusable: ${key.message}`);
    return;
  }
  const bits = key.value.paramSet.curve.bits;
  const needed = bits === 256 ? 'streebog-256' : 'streebog-512';
  if (scheme.hash !== needed) {
    b.fail('signature', 'TOTAL-FAILED', 'SIG_CRYPTO_FAILURE', `the signer's ${bits}-bit GOST key signs ${needed}, but the signature declares ${scheme.hash}`);
    return;
  }
  const digest = digestBytes(scheme.hash, si.signedAttrsDer ?? Buffer.alloc(0));
  if (gostVerify({ digest, signature: si.signature, publicKey: key.value })) b.pass('signature');
  else b.fail('signature', 'TOTAL-FAILED', 'SIG_CRYPTO_FAILURE', 'the signature value does not verify with the signer certificate key');
}

function verifySignatureValue(si: ParsedSignerInfo, signer: ParsedCertificate, scheme: SignatureScheme, b: ReportBuilder): void {
  if (scheme.family === 'gost2012') {
    verifyGostSignatureValue(si, signer, scheme, b);
    return;
  }
  const key = signer.publicKey;
  if (key === undefined || !KEY_TYPES[scheme.family].includes(key.asymmetricKeyType ?? '')) {
    b.fail('signature', 'TOTAL-FAILED', 'SIG_CRYPTO_FAILURE', `the signer key (${key?.asymmetricKeyType ?? 'unusable'}) does not fit ${signatureSchemeName(scheme)}`);
    return;
  }
  let ok = false;
  try {
    ok = verify(nodeHashName(scheme.hash), si.signedAttrsDer ?? Buffer.alloc(0), { key, ...nodeKeyOptions(scheme) }, si.signature);
  } catch {
    ok = false;
  }
  if (ok) b.pass('signature');
  else b.fail('signature', 'TOTAL-FAILED', 'SIG_CRYPTO_FAILURE', 'the signature value does not verify with the signer certificate key');
}

/**
 * A revocation check the validation of one SignerInfo needs: the certificates (each with its
 * issuer; the anchor itself is not checked) at a time — the TSA path of a signature time-stamp at
 * its genTime, then the signer's path at the best signature time.
 */
export interface RevocationRequest {
  chain: ChainLink[];
  at: Date;
}

/**
 * The validation of one SignerInfo as steps: it yields each revocation check it needs and takes
 * the result (`null`: no revocation source is available), so that one body serves the offline
 * and the network entry points. Returns the report. Never throws on malformed input.
 */
export type SignerSteps = Generator<RevocationRequest, ValidationReport, RevocationCheckResult | null>;

/** Whether a time-stamp token's message imprint is the digest of `signatureValue` (RFC 5126 §6.1.1), with the token's own hash. */
export function timestampCoversSignature(token: Uint8Array, signatureValue: Uint8Array): boolean {
  const imprint = timestampImprint(token);
  return imprint !== null && imprint.value.equals(digestBytes(imprint.algorithm, signatureValue));
}

/** Runs every check of one SignerInfo, yielding the revocation checks it needs (see {@link SignerSteps}). */
export function* validateSigner(si: ParsedSignerInfo, ctx: VerifySignerContext): SignerSteps {
  const b = createReportBuilder();
  const sd = ctx.signedData;
  const signer = findSigner(si, ctx.certificates);
  const digestAlgorithm = digestAlgorithmFromOid(si.digestAlgorithmOid);
  const scheme = digestAlgorithm === undefined ? undefined : parseSignatureAlgorithm(si.signatureAlgorithmOid, si.signatureAlgorithmParams, digestAlgorithm);
  let signedBy: CertificateSummary | null = signer === undefined ? null : summarizeCertificate(signer);
  let chain: CertificateSummary[] = [];
  let trustAnchor: string | null = null;
  let qualifiedAnchor = false;
  let revocation: ValidationReport['revocation'] = { checked: false, note: 'revocation was not reached' };
  // CRLs / OCSP responses used, for the TSA paths and the signer's path alike: all are kept with the message.
  const evidence: RevocationCheckResult['evidence'] = { crls: [], ocsp: [] };
  let timestamp: TimestampSummary | null = null;
  let bestSignatureTime = ctx.now;

  const attrs = readAttributes(sd, si, ctx, b);
  const finishReport = (): ValidationReport => {
    const r = b.finish();
    const passed = r.indication === 'TOTAL-PASSED';
    return {
      indication: r.indication,
      subIndication: r.subIndication,
      signedBy,
      chain,
      trustAnchor,
      signingTime: attrs?.signingTime.toISOString() ?? null,
      bestSignatureTime: bestSignatureTime.toISOString(),
      validationTime: ctx.now.toISOString(),
      digestAlgorithm: digestAlgorithm ?? (si.digestAlgorithmOid || null),
      signatureAlgorithm: scheme?.ok === true ? signatureSchemeName(scheme.value) : si.signatureAlgorithmOid || null,
      qualification: passed ? (qualifiedAnchor && signedBy?.qualifiedProfile === true ? 'qualified' : 'advanced') : 'none',
      revocation,
      revocationEvidence: {
        crls: dedupe(evidence.crls).map((c) => c.toString('base64')),
        ocsp: dedupe(evidence.ocsp).map((c) => c.toString('base64')),
      },
      timestamp,
      checks: r.checks,
      errors: r.errors,
      warnings: r.warnings,
    };
  };
  if (attrs === undefined) return finishReport();

  // Algorithms (ETSI EN 319 102-1 §5.2.8 cryptographic constraints).
  if (digestAlgorithm === undefined) {
    b.fail('algorithms', 'INDETERMINATE', 'CRYPTO_CONSTRAINTS_FAILURE', `digest algorithm ${si.digestAlgorithmOid} is not supported`);
  } else if (!ctx.policy.acceptedDigestAlgorithms.includes(digestAlgorithm)) {
    b.fail('algorithms', 'INDETERMINATE', 'CRYPTO_CONSTRAINTS_FAILURE', `digest algorithm ${digestAlgorithm} is not accepted by the validation policy`);
  } else if (ctx.contentDigests[digestAlgorithm] === undefined) {
    b.fail('algorithms', 'INDETERMINATE', 'CRYPTO_CONSTRAINTS_FAILURE', `the ${digestAlgorithm} digest of the content was not supplied to the verifier`);
  }
  if (scheme !== undefined && !scheme.ok) b.fail('algorithms', 'INDETERMINATE', 'CRYPTO_CONSTRAINTS_FAILURE', scheme.error.message);
  const bits = signer?.publicKey?.asymmetricKeyDetails?.modulusLength;
  const keyType = signer?.publicKey?.asymmetricKeyType;
  if ((keyType === 'rsa' || keyType === 'rsa-pss') && bits !== undefined && bits < ctx.policy.minRsaModulusBits) {
    b.fail('algorithms', 'INDETERMINATE', 'CRYPTO_CONSTRAINTS_FAILURE', `RSA key of ${bits} bits is shorter than the policy minimum ${ctx.policy.minRsaModulusBits}`);
  }
  if (!b.failed('algorithms')) b.pass('algorithms');

  // Message digest: independent of the certificate, so it is checked even when no signer is found.
  const supplied = digestAlgorithm === undefined ? undefined : ctx.contentDigests[digestAlgorithm];
  if (supplied === undefined) {
    b.skip('message-digest', 'no content digest for the signer digest algorithm');
  } else if (supplied.length === attrs.messageDigest.length && timingSafeEqual(supplied, attrs.messageDigest)) {
    b.pass('message-digest');
  } else {
    b.fail('message-digest', 'TOTAL-FAILED', 'HASH_FAILURE', 'the messageDigest attribute does not match the digest of the content');
  }

  // Identification of the signing certificate (ETSI EN 319 102-1 §5.2.3, RFC 5035 §5.4).
  if (signer === undefined) {
    b.fail('signing-certificate', 'INDETERMINATE', 'NO_SIGNING_CERTIFICATE_FOUND', 'the signer certificate is not among the certificates of the signature');
    return finishReport();
  }
  if (attrs.ess === undefined) {
    if (ctx.policy.requireSigningCertificateV2) {
      b.fail('signing-certificate', 'INDETERMINATE', 'NO_SIGNING_CERTIFICATE_FOUND', 'no signing-certificate-v2 attribute, which the validation policy requires');
    } else {
      b.warn('no signing-certificate-v2: not CAdES-BES');
      b.pass('signing-certificate', 'identified by the SignerInfo sid only');
    }
  } else {
    const match = essCertIdMatches(attrs.ess.id, signer);
    if (!match.ok) {
      b.fail('signing-certificate', 'INDETERMINATE', 'NO_SIGNING_CERTIFICATE_FOUND', match.message);
    } else if (attrs.ess.version === 1 && ctx.policy.requireSigningCertificateV2) {
      b.fail('signing-certificate', 'INDETERMINATE', 'NO_SIGNING_CERTIFICATE_FOUND', 'only a SHA-1 signing-certificate (v1) attribute, the validation policy requires v2');
    } else {
      if (attrs.ess.version === 1) b.warn('signing-certificate v1 (SHA-1) instead of signing-certificate-v2');
      b.pass('signing-certificate');
    }
  }

  if (scheme?.ok === true) verifySignatureValue(si, signer, scheme.value, b);
  else b.skip('signature', 'the signature algorithm is not supported');

  const path = buildCertificationPath(signer, ctx.certificates, ctx.anchors);
  if (path.ok) {
    b.pass('chain');
    chain = path.path.map(summarizeCertificate);
    signedBy = chain[0] ?? signedBy;
    // The last summary is the anchor's: its subject is the formatted name, '' when unreadable.
    trustAnchor = path.anchor.anchor.label ?? (chain[chain.length - 1]?.subject || formatName(path.anchor.cert.subjectDer));
    qualifiedAnchor = path.anchor.anchor.qualified;
  } else {
    b.fail('chain', 'INDETERMINATE', 'NO_CERTIFICATE_CHAIN_FOUND', path.message);
    chain = [summarizeCertificate(signer)];
  }

  const stamp = yield* checkSignatureTimestamp(si, ctx, b, evidence);
  if (stamp !== null) {
    timestamp = stamp;
    bestSignatureTime = new Date(stamp.genTime);
    if (bestSignatureTime.getTime() + ctx.policy.maxFutureSkewSeconds * 1000 < attrs.signingTime.getTime()) {
      b.warn(`the claimed signingTime ${attrs.signingTime.toISOString()} is later than the time-stamp genTime ${stamp.genTime}`);
    }
  }
  checkValidity(path.ok ? path.path : [signer], attrs.signingTime, bestSignatureTime, stamp !== null, b);
  checkKeyUsage(signer, b);

  if (ctx.policy.revocation === 'skip') {
    revocation = { checked: false, note: 'skipped by policy' };
    b.skip('revocation', 'skipped by policy');
    b.warn('revocation status was NOT checked (skipped by the validation policy)');
    return finishReport();
  }
  if (!path.ok) {
    revocation = { checked: false, note: 'no certification path, so no revocation check' };
    b.skip('revocation', 'no certification path to check');
    return finishReport();
  }
  const links: ChainLink[] = [];
  for (let i = 0; i + 1 < path.path.length; i++) {
    const cert = path.path[i];
    const issuer = path.path[i + 1];
    if (cert !== undefined && issuer !== undefined) links.push({ certificate: cert.der, issuer: issuer.der });
  }
  const at = bestSignatureTime;
  const result = yield { chain: links, at };
  if (result === null) {
    revocation = { checked: false, note: 'revocation checking is not available: no CRL or OCSP source configured' };
    b.fail('revocation', 'INDETERMINATE', 'TRY_LATER', 'revocation status could not be checked: no CRL or OCSP source configured');
    return finishReport();
  }
  // The report names certificates as the chain summaries do, not as node's X509 prints them.
  const named: RevocationCheckResult = {
    ...result,
    certificates: result.certificates.map((c, i) => {
      const summary = chain[i];
      return summary === undefined ? c : { ...c, subject: summary.subject };
    }),
  };
  const shortNames = result.certificates.map((c, i) => chain[i]?.commonName ?? chain[i]?.subject ?? c.subject);
  applyRevocation(named, shortNames, at, b, (r) => {
    revocation = r;
  });
  evidence.crls.push(...result.evidence.crls);
  evidence.ocsp.push(...result.evidence.ocsp);
  return finishReport();
}

function dedupe(list: readonly Buffer[]): Buffer[] {
  return list.filter((b, i) => list.findIndex((o) => o.equals(b)) === i);
}

/** Builds the report of one SignerInfo offline and without revocation data (the revocation checks then answer TRY_LATER unless skipped). */
export function verifySigner(si: ParsedSignerInfo, ctx: VerifySignerContext): ValidationReport {
  const steps = validateSigner(si, ctx);
  let step = steps.next();
  while (step.done !== true) step = steps.next(null);
  return step.value;
}

function describeSource(c: { origin?: string; source: 'crl' | 'ocsp' | null }): string {
  return c.origin ?? (c.source === 'crl' ? 'CRL' : c.source === 'ocsp' ? 'OCSP' : 'no source');
}

/**
 * Maps a chain's revocation result onto the report (ETSI EN 319 102-1): a signing certificate
 * revoked at or before the best signature time is INDETERMINATE/REVOKED_NO_POE and a revoked CA
 * certificate INDETERMINATE/REVOKED_CA_NO_POE (§5.2.6 X.509 certificate validation, Table 5). The
 * standard keeps TOTAL-FAILED/REVOKED for a signature proven (by a content time-stamp, §5.3.4) to
 * have been created after the revocation; this validator does not read content time-stamps, so
 * it never claims that proof. A revocation after the best signature time (a signature time-stamp
 * before it, §5.5.4) does not affect the signature. Missing data or OCSP `unknown` is TRY_LATER.
 */
function applyRevocation(result: RevocationCheckResult, shortNames: readonly string[], at: Date, b: ReportBuilder, set: (r: ValidationReport['revocation']) => void): void {
  const nameOf = (c: RevocationCheckResult['certificates'][number]): string => shortNames[result.certificates.indexOf(c)] ?? c.subject;
  const certificates: RevocationCertificateStatus[] = result.certificates.map((c) => ({
    subject: c.subject,
    serialNumber: c.serialNumber,
    status: c.status,
    source: c.source,
    origin: c.origin ?? null,
    ...(c.revokedAt === undefined ? {} : { revokedAt: c.revokedAt.toISOString() }),
    ...(c.reason === undefined ? {} : { reason: c.reason }),
    problems: c.problems,
  }));
  const decided = result.certificates.map((c) => `${nameOf(c)}: ${c.status} (${describeSource(c)})`).join('; ');
  if (result.status === 'good') {
    set({ checked: true, note: decided, certificates });
    const later = result.certificates.filter((c) => c.status === 'revoked');
    for (const c of later) b.warn(`${nameOf(c)} was revoked at ${c.revokedAt?.toISOString() ?? '?'}, after the best signature time ${at.toISOString()}`);
    b.pass('revocation', decided);
    return;
  }
  set({ checked: result.status === 'revoked', note: decided, certificates });
  if (result.status === 'revoked') {
    const index = result.certificates.findIndex((c) => c.status === 'revoked' && (c.revokedAt === undefined || c.revokedAt.getTime() <= at.getTime()));
    const c = result.certificates[index];
    const when = c?.revokedAt === undefined ? '' : ` at ${c.revokedAt.toISOString()}`;
    const why = c?.reason === undefined ? '' : ` (${c.reason})`;
    const message = `${index === 0 ? 'the signing certificate' : 'CA certificate'} ${c === undefined ? '' : nameOf(c)} was revoked${when}${why}, not after the best signature time ${at.toISOString()}; no proof that the signature existed before (${describeSource(c ?? { source: null })})`;
    b.fail('revocation', 'INDETERMINATE', index === 0 ? 'REVOKED_NO_POE' : 'REVOKED_CA_NO_POE', message);
    return;
  }
  const open = result.certificates
    .filter((c) => c.status === 'unknown' || c.status === 'try-later')
    .map((c) => (c.status === 'unknown' ? `${nameOf(c)}: the OCSP responder answered unknown` : `${nameOf(c)}: ${c.problems.join('; ')}`));
  b.fail('revocation', 'INDETERMINATE', 'TRY_LATER', `revocation status could not be established: ${open.join(' | ')}`);
}

/**
 * CAdES-T (ETSI EN 319 122-1 §5.3, RFC 5126 §6.1.1): a signature time-stamp binds the digest of
 * the SignerInfo signature value to the TSA's genTime. It is either embedded (the
 * signatureTimeStampToken unsigned attribute) or kept beside a signature whose bytes must not
 * change (`ctx.detachedTimestamps`, matched by imprint); both are verified the same way. A token
 * that does not verify (over another signature, a TSA without the timeStamping EKU, no chain)
 * cannot be a proof of existence, and the signature carrying it is INDETERMINATE/SIG_CONSTRAINTS_FAILURE.
 *
 * The TSA's certification path is checked for revocation at genTime with the same sources as the
 * signer's (ETSI EN 319 102-1 §5.2.6 applied to the time-stamp's signing certificate, RFC 3161 §4
 * "TSA compromise"): a TSA certificate revoked at or before genTime makes the token no proof of
 * existence (SIG_CONSTRAINTS_FAILURE); a status that cannot be established (no data, OCSP
 * `unknown`) makes the token unusable for now (TRY_LATER, with a warning) — never a silent pass.
 * With several valid tokens the earliest genTime is the best signature time (§5.5.4).
 */
function* checkSignatureTimestamp(
  si: ParsedSignerInfo,
  ctx: VerifySignerContext,
  b: ReportBuilder,
  evidence: RevocationCheckResult['evidence'],
): Generator<RevocationRequest, TimestampSummary | null, RevocationCheckResult | null> {
  const embedded = si.unsignedAttrs.filter((a) => a.type === OID.signatureTimeStampToken).flatMap((a) => a.valuesDer.map((token) => ({ token: Buffer.from(token), detached: false })));
  const detached = (ctx.detachedTimestamps ?? []).filter((t) => timestampCoversSignature(t, si.signature)).map((token) => ({ token: Buffer.from(token), detached: true }));
  const tokens = [...embedded, ...detached];
  if (tokens.length === 0) {
    b.skip('timestamp', 'no signature time-stamp (CAdES-BES)');
    return null;
  }
  let best: TimestampSummary | null = null;
  const notes: string[] = [];
  for (const [i, { token, detached: beside }] of tokens.entries()) {
    const kind = beside ? 'detached signature time-stamp' : 'signature time-stamp';
    const name = tokens.length === 1 ? `the ${kind}` : `${kind} ${i + 1}`;
    const algorithm = timestampImprintAlgorithm(token);
    if (algorithm === null) {
      b.fail('timestamp', 'INDETERMINATE', 'SIG_CONSTRAINTS_FAILURE', `${name} is unreadable or uses an unknown imprint hash`);
      continue;
    }
    const v = verifyTimestampToken({
      tokenDer: token,
      expectedImprint: digestBytes(algorithm, si.signature),
      digestAlgorithm: algorithm,
      trustAnchors: ctx.timestampAnchors,
      now: ctx.now,
      skewSeconds: ctx.policy.maxFutureSkewSeconds,
    });
    if (!v.ok || v.genTime === null) {
      const overOther = v.problems.some((p) => p.startsWith('the message imprint differs'));
      const lead = overOther ? `${name} is not over this signature value (its message imprint differs)` : `${name} does not verify`;
      b.fail('timestamp', 'INDETERMINATE', 'SIG_CONSTRAINTS_FAILURE', `${lead}: ${v.problems.join('; ')}`);
      continue;
    }
    const genTime = v.genTime;
    const tsa = v.tsaCertificate === null ? null : parseCertificateLabel(v.tsaCertificate);
    const tsaRevocation = yield* checkTsaRevocation(name, tsa ?? '(unknown TSA)', v.path, genTime, ctx, b, evidence);
    if (tsaRevocation === null) continue;
    notes.push(tsaRevocation);
    if (best === null || genTime.getTime() < new Date(best.genTime).getTime()) {
      best = { genTime: genTime.toISOString(), tsa: tsa ?? '(unknown TSA)', serialNumber: v.serialNumber, policy: v.policy, trustAnchor: v.trustAnchor, detached: beside };
    }
  }
  if (best !== null && !b.failed('timestamp')) {
    b.pass('timestamp', `${best.detached ? 'time-stamped (token kept beside the signature)' : 'time-stamped'} by ${best.tsa} at ${best.genTime}; ${notes.join('; ')}`);
  }
  return b.failed('timestamp') ? null : best;
}

/**
 * Revocation of a verified token's TSA path at genTime. Returns a note for the report when the
 * token may serve as proof of existence, `null` (after recording the failure) when it may not.
 * The plan and the judgement are the ones the gateway applies to a token it has just obtained
 * (`timestampSignatureValue`), so a token it keeps is one this validator accepts.
 */
function* checkTsaRevocation(
  name: string,
  tsa: string,
  path: readonly Buffer[],
  genTime: Date,
  ctx: VerifySignerContext,
  b: ReportBuilder,
  evidence: RevocationCheckResult['evidence'],
): Generator<RevocationRequest, string | null, RevocationCheckResult | null> {
  const plan = planTsaRevocation(path, ctx.policy.revocation);
  if (!plan.check) return plan.note;
  const result = yield { chain: plan.chain, at: genTime };
  if (result !== null) {
    evidence.crls.push(...result.evidence.crls);
    evidence.ocsp.push(...result.evidence.ocsp);
  }
  const judged = judgeTsaRevocation({ name, tsa, genTime, result });
  switch (judged.status) {
    case 'revoked':
      b.fail('timestamp', 'INDETERMINATE', 'SIG_CONSTRAINTS_FAILURE', judged.message);
      return null;
    case 'try-later':
      b.fail('timestamp', 'INDETERMINATE', 'TRY_LATER', judged.message);
      b.warn(judged.message);
      return null;
    case 'good':
      for (const w of judged.warnings) b.warn(w);
      return judged.note;
  }
}

function parseCertificateLabel(der: Buffer): string | null {
  const c = parseCertificate(der);
  return c.ok ? certLabel(c.value) : null;
}
