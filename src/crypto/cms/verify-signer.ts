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
import type { CertificateSummary, ValidationPolicy, ValidationReport } from '../types.ts';
import { nodeKeyOptions, parseSignatureAlgorithm, signatureSchemeName, type SignatureScheme } from './algorithms.ts';
import { buildCertificationPath, type ParsedAnchor } from './certification-path.ts';
import { summarizeCertificate } from './certificate-summary.ts';
import { formatName } from './distinguished-name.ts';
import { essCertIdMatches, OID_SIGNING_CERTIFICATE_V1, parseEssCertId, type EssCertId } from './ess-signing-certificate.ts';
import type { ParsedSignedData, ParsedSignerInfo, SignedAttribute } from './parse-signed-data.ts';
import type { ParsedCertificate } from './parsed-certificate.ts';
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
  contentDigests: Partial<Record<DigestAlgorithm, Buffer>>;
  policy: ValidationPolicy;
  now: Date;
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

function checkValidity(chain: readonly ParsedCertificate[], signingTime: Date, now: Date, b: ReportBuilder): void {
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
      const when = expiry < signingTime.getTime() ? `the signing time ${signingTime.toISOString()}` : `the validation time ${now.toISOString()}`;
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

/** Builds the report of one SignerInfo. Never throws on malformed input. */
export function verifySigner(si: ParsedSignerInfo, ctx: VerifySignerContext): ValidationReport {
  const b = createReportBuilder();
  const sd = ctx.signedData;
  const signer = findSigner(si, ctx.certificates);
  const digestAlgorithm = digestAlgorithmFromOid(si.digestAlgorithmOid);
  const scheme = digestAlgorithm === undefined ? undefined : parseSignatureAlgorithm(si.signatureAlgorithmOid, si.signatureAlgorithmParams, digestAlgorithm);
  let signedBy: CertificateSummary | null = signer === undefined ? null : summarizeCertificate(signer);
  let chain: CertificateSummary[] = [];
  let trustAnchor: string | null = null;
  let qualifiedAnchor = false;
  let revocation = { checked: false, note: 'revocation was not reached' };

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
      bestSignatureTime: ctx.now.toISOString(),
      validationTime: ctx.now.toISOString(),
      digestAlgorithm: digestAlgorithm ?? (si.digestAlgorithmOid || null),
      signatureAlgorithm: scheme?.ok === true ? signatureSchemeName(scheme.value) : si.signatureAlgorithmOid || null,
      qualification: passed ? (qualifiedAnchor && signedBy?.qualifiedProfile === true ? 'qualified' : 'advanced') : 'none',
      revocation,
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

  checkValidity(path.ok ? path.path : [signer], attrs.signingTime, ctx.now, b);
  checkKeyUsage(signer, b);

  if (ctx.policy.revocation === 'skip') {
    revocation = { checked: false, note: 'skipped by policy' };
    b.skip('revocation', 'skipped by policy');
    b.warn('revocation status was NOT checked (skipped by the validation policy)');
  } else {
    revocation = { checked: false, note: 'revocation checking is not available: no CRL or OCSP source configured' };
    b.fail('revocation', 'INDETERMINATE', 'TRY_LATER', 'revocation status could not be checked: no CRL or OCSP source configured');
  }
  return finishReport();
}
