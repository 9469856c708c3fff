/** The CertificateSummary shown in validation reports (identifiers of the Russian qualified profile included). */
import { createHash } from 'node:crypto';
import { GOST_OIDS } from '../gost/index.ts';
import { OID, QUALIFIED_TOOL_POLICIES } from '../oids.ts';
import type { CertificateSummary, CryptoResult } from '../types.ts';
import { formatName, nameAttributeText, parseName } from './distinguished-name.ts';
import { parseCertificate, type ParsedCertificate } from './parsed-certificate.ts';

const EKU_NAMES: Readonly<Record<string, string>> = {
  '1.3.6.1.5.5.7.3.1': 'serverAuth',
  '1.3.6.1.5.5.7.3.2': 'clientAuth',
  '1.3.6.1.5.5.7.3.3': 'codeSigning',
  '1.3.6.1.5.5.7.3.4': 'emailProtection',
  '1.3.6.1.5.5.7.3.8': 'timeStamping',
  '1.3.6.1.5.5.7.3.9': 'OCSPSigning',
};

const CURVE_NAMES: Readonly<Record<string, string>> = {
  prime256v1: 'ecdsa-p256',
  secp384r1: 'ecdsa-p384',
  secp521r1: 'ecdsa-p521',
};

/** Serial as hex without redundant leading zero bytes (a sign byte 00 is dropped too). */
function serialHex(value: Buffer): string {
  let start = 0;
  while (start < value.length - 1 && value[start] === 0) start += 1;
  return value.subarray(start).toString('hex');
}

function publicKeyName(cert: ParsedCertificate): string {
  // Named by the SPKI algorithm even when the key itself is unusable: the report says what it claims to be.
  if (cert.spkiAlgorithm === GOST_OIDS.publicKey256) return 'gost2012-256';
  if (cert.spkiAlgorithm === GOST_OIDS.publicKey512) return 'gost2012-512';
  const key = cert.publicKey;
  if (key === undefined) return cert.spkiAlgorithm;
  const details = key.asymmetricKeyDetails;
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return `rsa-${details?.modulusLength ?? 0}`;
    case 'rsa-pss':
      return `rsa-pss-${details?.modulusLength ?? 0}`;
    case 'ec':
      return CURVE_NAMES[details?.namedCurve ?? ''] ?? `ec-${details?.namedCurve ?? cert.spkiAlgorithm}`;
    default:
      return cert.spkiAlgorithm;
  }
}

/** The Russian qualified profile (FSB order 795): a KC1..KA1 tool-class policy or the subjectSignTool extension. */
export function hasQualifiedProfile(cert: ParsedCertificate): boolean {
  return cert.policies.some((p) => QUALIFIED_TOOL_POLICIES.includes(p)) || cert.extensionIds.includes(OID.subjectSignTool);
}

// Parsed certificates are cached and immutable, so their summaries can be too.
const summaries = new WeakMap<ParsedCertificate, CertificateSummary>();

/** Builds the summary of an already parsed certificate (a fresh object the caller may change). */
export function summarizeCertificate(cert: ParsedCertificate): CertificateSummary {
  let summary = summaries.get(cert);
  if (summary === undefined) {
    summary = buildSummary(cert);
    summaries.set(cert, summary);
  }
  return {
    ...summary,
    keyUsage: [...summary.keyUsage],
    extendedKeyUsage: [...summary.extendedKeyUsage],
    policies: [...summary.policies],
  };
}

function buildSummary(cert: ParsedCertificate): CertificateSummary {
  const rdns = parseName(cert.subjectDer) ?? [];
  const summary: CertificateSummary = {
    subject: formatName(cert.subjectDer) ?? '',
    issuer: formatName(cert.issuerDer) ?? '',
    serialNumber: serialHex(cert.serialValue),
    notBefore: cert.notBefore.toISOString(),
    notAfter: cert.notAfter.toISOString(),
    fingerprintSha256: createHash('sha256').update(cert.der).digest('hex'),
    keyUsage: cert.keyUsage ?? [],
    extendedKeyUsage: (cert.extendedKeyUsage ?? []).map((oid) => EKU_NAMES[oid] ?? oid),
    isCA: cert.basicConstraints?.cA ?? false,
    policies: [...cert.policies],
    publicKey: publicKeyName(cert),
    qualifiedProfile: hasQualifiedProfile(cert),
  };
  const optional = {
    commonName: OID.commonName,
    organization: OID.organizationName,
    title: OID.title,
    surname: OID.surname,
    givenName: OID.givenName,
    ogrn: OID.ogrn,
    ogrnip: OID.ogrnip,
    inn: OID.inn,
    innle: OID.innle,
    snils: OID.snils,
  } as const;
  for (const [field, oid] of Object.entries(optional) as [keyof typeof optional, string][]) {
    const text = nameAttributeText(rdns, oid);
    if (text !== undefined) summary[field] = text;
  }
  return summary;
}

/** Result-returning variant of {@link describeCertificate}. */
export function parseCertificateSummary(der: Buffer): CryptoResult<CertificateSummary, 'CERTIFICATE_MALFORMED'> {
  const parsed = parseCertificate(der);
  if (!parsed.ok) return parsed;
  return { ok: true, value: summarizeCertificate(parsed.value) };
}

/**
 * The facts of an X.509 certificate (RFC 5280) for reports: names as RFC 4514 lines, identifiers
 * of the Russian qualified profile, key usage names per RFC 5280 §4.2.1.3.
 * @throws Error when `der` is not a certificate.
 */
export function describeCertificate(der: Buffer): CertificateSummary {
  const r = parseCertificateSummary(der);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}
