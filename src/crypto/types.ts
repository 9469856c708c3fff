import type { DigestAlgorithm } from './digest.ts';

/** Result of an operation whose failure is an expected outcome, not an exception. */
export type CryptoResult<T, C extends string = string> =
  | { ok: true; value: T }
  | { ok: false; error: { code: C; message: string } };

/** How an RSA key signs: PKCS#1 v1.5 (default) or RSASSA-PSS (RFC 4055, salt = hash length). */
export type RsaScheme = 'pkcs1' | 'pss';

/** A CA certificate the verifier trusts; `qualified` marks an accredited (qualified) CA. */
export interface TrustAnchor {
  certificate: Buffer;
  qualified: boolean;
  label?: string;
}

/** What the validator requires (ETSI EN 319 102-1 "signature validation policy"). */
export interface ValidationPolicy {
  /**
   * `require`: revocation must be checked, otherwise INDETERMINATE/TRY_LATER.
   * `skip`: the caller explicitly chose not to check; the report says so.
   */
  revocation: 'require' | 'skip';
  /** CAdES-BES requires signing-certificate-v2 (RFC 5035); missing -> INDETERMINATE/NO_SIGNING_CERTIFICATE_FOUND. */
  requireSigningCertificateV2: boolean;
  /** A signingTime further in the future than this (relative to `now`) fails FORMAT_FAILURE. */
  maxFutureSkewSeconds: number;
  minRsaModulusBits: number;
  acceptedDigestAlgorithms: readonly DigestAlgorithm[];
}

export type Indication = 'TOTAL-PASSED' | 'TOTAL-FAILED' | 'INDETERMINATE';

/** Sub-indications of ETSI EN 319 102-1 §5.1.3 that this validator emits. */
export type SubIndication =
  | 'FORMAT_FAILURE'
  | 'HASH_FAILURE'
  | 'SIG_CRYPTO_FAILURE'
  | 'REVOKED'
  | 'REVOKED_NO_POE'
  | 'REVOKED_CA_NO_POE'
  | 'EXPIRED'
  | 'NOT_YET_VALID'
  | 'NO_SIGNING_CERTIFICATE_FOUND'
  | 'NO_CERTIFICATE_CHAIN_FOUND'
  | 'CHAIN_CONSTRAINTS_FAILURE'
  | 'CRYPTO_CONSTRAINTS_FAILURE'
  | 'SIG_CONSTRAINTS_FAILURE'
  | 'OUT_OF_BOUNDS_NO_POE'
  | 'TRY_LATER';

/** The parsed facts about one certificate that a report shows (subject identifiers per the Russian qualified profile). */
export interface CertificateSummary {
  /** RFC 4514-style one-line DN, most significant RDN last as OpenSSL prints with -nameopt RFC2253. */
  subject: string;
  issuer: string;
  /** Hex, lower case, no leading zeros beyond one byte. */
  serialNumber: string;
  notBefore: string;
  notAfter: string;
  fingerprintSha256: string;
  commonName?: string;
  organization?: string;
  title?: string;
  surname?: string;
  givenName?: string;
  ogrn?: string;
  ogrnip?: string;
  inn?: string;
  innle?: string;
  snils?: string;
  keyUsage: string[];
  extendedKeyUsage: string[];
  isCA: boolean;
  policies: string[];
  /** Public key algorithm, e.g. `rsa-2048`, `ecdsa-p256`, `gost2012-256`, `gost2012-512`. */
  publicKey: string;
  /** Carries the Russian qualified profile markers (KC1..KA1 policy or subjectSignTool). */
  qualifiedProfile: boolean;
}

export type CheckStatus = 'passed' | 'failed' | 'indeterminate' | 'not-checked';

/**
 * Ids of the individual checks, in the order of the ETSI building blocks:
 * format, identification of the signing certificate, cryptographic verification, X.509 path,
 * validity at signing time, key usage, revocation, acceptance.
 */
export type CheckId =
  | 'format'
  | 'content-type'
  | 'message-digest'
  | 'signing-certificate'
  | 'signature'
  | 'algorithms'
  | 'chain'
  | 'validity'
  | 'key-usage'
  | 'revocation'
  | 'signing-time'
  | 'timestamp';

export interface ValidationCheck {
  id: CheckId;
  status: CheckStatus;
  message?: string;
}

/** Revocation status of one certificate of the path, as the report shows it. */
export interface RevocationCertificateStatus {
  subject: string;
  /** Hex serial number. */
  serialNumber: string;
  status: 'good' | 'revoked' | 'unknown' | 'try-later';
  /** `crl` or `ocsp`: the kind of data that decided; null when nothing usable was found. */
  source: 'crl' | 'ocsp' | null;
  /** Where the deciding data came from: `CRL at hand`, `OCSP http://…`. */
  origin: string | null;
  revokedAt?: string;
  reason?: string;
  /** Why data that was tried could not be used. */
  problems: string[];
}

/** A verified signature time-stamp (CAdES-T, RFC 5126 §6.1.1 signatureTimeStampToken). */
export interface TimestampSummary {
  genTime: string;
  /** Subject of the TSA certificate. */
  tsa: string;
  /** Hex serial number of the token. */
  serialNumber: string | null;
  policy: string | null;
  trustAnchor: string | null;
  /**
   * True when the token was kept beside the signature (given to the validator separately, e.g.
   * gateway evidence) rather than embedded as its signatureTimeStampToken unsigned attribute.
   */
  detached: boolean;
}

/** One signer's validation report, shaped like the simple report of the EU DSS validator. */
export interface ValidationReport {
  indication: Indication;
  subIndication: SubIndication | null;
  signedBy: CertificateSummary | null;
  /** Signer first, then up to and including the trust anchor when one was found. */
  chain: CertificateSummary[];
  trustAnchor: string | null;
  /** The signingTime attribute, ISO 8601, as claimed by the signer. */
  signingTime: string | null;
  /** The time the signature provably existed; without a timestamp it is the validation time. */
  bestSignatureTime: string;
  validationTime: string;
  digestAlgorithm: string | null;
  signatureAlgorithm: string | null;
  qualification: 'qualified' | 'advanced' | 'none';
  revocation: { checked: boolean; note: string; certificates?: RevocationCertificateStatus[] };
  /**
   * The CRLs and OCSP responses (DER, base64) that decided the revocation status: stored with the
   * message (CAdES-LT style), they let the signature be validated again later without the network.
   */
  revocationEvidence: { crls: string[]; ocsp: string[] };
  /** The verified signature time-stamp whose genTime is the best signature time; null when none. */
  timestamp: TimestampSummary | null;
  checks: ValidationCheck[];
  errors: string[];
  warnings: string[];
}
