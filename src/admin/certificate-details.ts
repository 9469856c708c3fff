/**
 * Reading certificates that administrators upload (PEM, DER, or a PKCS#7 certs-only bundle, RFC
 * 5652 §5 / RFC 8551 §3.8) and describing them: the parsed facts, the trust anchor they chain to,
 * and whether they are qualified (SPEC §4: the qualified profile and a chain to a qualified anchor).
 */
import { X509Certificate } from 'node:crypto';
import * as asn1js from 'asn1js';
import { describeCertificate, pemToDerList, type CertificateSummary, type TrustAnchor } from '../crypto/index.ts';

const SIGNED_DATA = '1.2.840.113549.1.7.2';
const MAX_CERTIFICATES = 50;

export type BundleResult = { ok: true; certificates: { der: Buffer; summary: CertificateSummary }[] } | { ok: false; message: string };

/** The certificates of a PKCS#7 SignedData (certs-only) in DER, each exactly as it was encoded. */
function certificatesOfPkcs7(der: Uint8Array): Buffer[] | undefined {
  const parsed = asn1js.fromBER(der);
  if (parsed.offset === -1 || parsed.offset !== der.byteLength) return undefined;
  const contentInfo = parsed.result;
  if (!(contentInfo instanceof asn1js.Sequence)) return undefined;
  const [type, wrapped] = contentInfo.valueBlock.value;
  if (!(type instanceof asn1js.ObjectIdentifier) || type.valueBlock.toString() !== SIGNED_DATA) return undefined;
  if (!(wrapped instanceof asn1js.Constructed) || wrapped.idBlock.tagClass !== 3 || wrapped.idBlock.tagNumber !== 0) return undefined;
  const signedData = wrapped.valueBlock.value[0];
  if (!(signedData instanceof asn1js.Sequence)) return undefined;
  // SignedData: version, digestAlgorithms, encapContentInfo, [0] IMPLICIT certificates OPTIONAL, ...
  const certs = signedData.valueBlock.value.find((b, i) => i >= 3 && b.idBlock.tagClass === 3 && b.idBlock.tagNumber === 0);
  if (certs === undefined) return [];
  if (!(certs instanceof asn1js.Constructed)) return undefined;
  return certs.valueBlock.value.filter((b) => b instanceof asn1js.Sequence).map((b) => Buffer.from(b.valueBeforeDecodeView));
}

function summarise(der: Buffer): CertificateSummary | undefined {
  try {
    return describeCertificate(der);
  } catch {
    return undefined;
  }
}

/**
 * Reads an upload: PEM (any number of CERTIFICATE and PKCS7 blocks), a DER certificate, or a DER
 * PKCS#7 certs-only bundle. Anything else, or any block that is not a certificate, is refused.
 */
export function readCertificateUpload(body: Uint8Array): BundleResult {
  const bytes = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const head = bytes.subarray(0, 200).toString('latin1').replace(/^\uFEFF|^\xEF\xBB\xBF/u, '').trimStart();
  let ders: Buffer[] = [];
  if (head.startsWith('-----BEGIN')) {
    const text = bytes.toString('latin1');
    ders.push(...pemToDerList(text, 'CERTIFICATE'));
    for (const p7 of [...pemToDerList(text, 'PKCS7'), ...pemToDerList(text, 'CMS')]) {
      const inner = certificatesOfPkcs7(p7);
      if (inner === undefined) return { ok: false, message: 'a PKCS7 block is not a certs-only SignedData' };
      ders.push(...inner);
    }
    if (ders.length === 0) return { ok: false, message: 'no CERTIFICATE or PKCS7 block in the PEM text' };
  } else if (summarise(bytes) !== undefined) {
    ders = [bytes];
  } else {
    const inner = certificatesOfPkcs7(bytes);
    if (inner === undefined) return { ok: false, message: 'not a certificate: expected PEM, DER or a PKCS#7 certs-only bundle' };
    ders = inner;
  }
  if (ders.length === 0) return { ok: false, message: 'the bundle holds no certificates' };
  if (ders.length > MAX_CERTIFICATES) return { ok: false, message: `more than ${MAX_CERTIFICATES} certificates` };
  const certificates: { der: Buffer; summary: CertificateSummary }[] = [];
  const seen = new Set<string>();
  for (const [i, der] of ders.entries()) {
    const summary = summarise(der);
    if (summary === undefined) return { ok: false, message: `certificate ${i + 1} of the upload is not a readable X.509 certificate` };
    if (seen.has(summary.fingerprintSha256)) continue;
    seen.add(summary.fingerprintSha256);
    certificates.push({ der, summary });
  }
  return { ok: true, certificates };
}

function issuedBy(child: X509Certificate, issuer: X509Certificate): boolean {
  try {
    return child.checkIssued(issuer) && child.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

/**
 * The trust anchor `der` chains to through `intermediates` (names chain and signatures verify;
 * validity periods are not judged here), or undefined. RFC 5280 §6 path validation proper is the
 * signature validator's job; this answers "would it chain" for an administrator's warning.
 */
export function anchorOf(der: Buffer, intermediates: readonly Buffer[], anchors: readonly TrustAnchor[]): TrustAnchor | undefined {
  let current: X509Certificate;
  let parsedAnchors: { anchor: TrustAnchor; cert: X509Certificate }[];
  let pool: X509Certificate[];
  try {
    current = new X509Certificate(der);
    parsedAnchors = anchors.map((anchor) => ({ anchor, cert: new X509Certificate(anchor.certificate) }));
    pool = intermediates.map((d) => new X509Certificate(d)).filter((c) => c.ca);
  } catch {
    return undefined;
  }
  for (let depth = 0; depth < 10; depth += 1) {
    const self = parsedAnchors.find((a) => a.cert.fingerprint256 === current.fingerprint256);
    if (self !== undefined) return self.anchor;
    const direct = parsedAnchors.find((a) => issuedBy(current, a.cert));
    if (direct !== undefined) return direct.anchor;
    const next = pool.find((c) => c.fingerprint256 !== current.fingerprint256 && issuedBy(current, c));
    if (next === undefined) return undefined;
    current = next;
  }
  return undefined;
}

/** A certificate as the admin API shows it. */
export interface CertificateDetails {
  fingerprint: string;
  subject: string;
  issuer: string;
  serialNumber: string;
  notBefore: string;
  notAfter: string;
  commonName: string | null;
  organization: string | null;
  ogrn: string | null;
  ogrnip: string | null;
  /** INN of the legal entity (INNLE) or of the person (INN), whichever the certificate carries. */
  inn: string | null;
  snils: string | null;
  keyUsage: string[];
  extendedKeyUsage: string[];
  isCA: boolean;
  publicKey: string;
  qualifiedProfile: boolean;
  /** The label of the trust anchor it chains to, or null. */
  trustAnchor: string | null;
  /** SPEC §4: the qualified profile and a chain ending at a trust anchor marked qualified. */
  qualified: boolean;
}

export function certificateDetails(summary: CertificateSummary, anchor: TrustAnchor | undefined): CertificateDetails {
  return {
    fingerprint: summary.fingerprintSha256,
    subject: summary.subject,
    issuer: summary.issuer,
    serialNumber: summary.serialNumber,
    notBefore: summary.notBefore,
    notAfter: summary.notAfter,
    commonName: summary.commonName ?? null,
    organization: summary.organization ?? null,
    ogrn: summary.ogrn ?? null,
    ogrnip: summary.ogrnip ?? null,
    inn: summary.innle ?? summary.inn ?? null,
    snils: summary.snils ?? null,
    keyUsage: summary.keyUsage,
    extendedKeyUsage: summary.extendedKeyUsage,
    isCA: summary.isCA,
    publicKey: summary.publicKey,
    qualifiedProfile: summary.qualifiedProfile,
    trustAnchor: anchor === undefined ? null : (anchor.label ?? 'unnamed trust anchor'),
    qualified: summary.qualifiedProfile && anchor?.qualified === true,
  };
}

/** A SHA-256 fingerprint as a path parameter: hex, optionally colon-separated, any case. */
export function normaliseFingerprint(value: string): string | undefined {
  const hex = value.replace(/:/gu, '').toLowerCase();
  return /^[0-9a-f]{64}$/u.test(hex) ? hex : undefined;
}
