/**
 * Object identifiers used across the crypto domain, in one place so that the issuer
 * (development PKI) and the validator agree on them.
 */
export const OID = {
  // RFC 5652 (CMS) content types and attributes
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  // RFC 5035: ESS signing-certificate-v2
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  // RFC 5126 §6.1.1 / ETSI EN 319 122-1: the CAdES-T unsigned attribute holding an RFC 3161 token
  signatureTimeStampToken: '1.2.840.113549.1.9.16.2.14',

  // Digest algorithms (RFC 5754 / NIST CSOR)
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',

  // Signature algorithms
  rsaEncryption: '1.2.840.113549.1.1.1',
  sha256WithRSAEncryption: '1.2.840.113549.1.1.11',
  sha384WithRSAEncryption: '1.2.840.113549.1.1.12',
  sha512WithRSAEncryption: '1.2.840.113549.1.1.13',
  rsassaPss: '1.2.840.113549.1.1.10',
  mgf1: '1.2.840.113549.1.1.8',
  ecPublicKey: '1.2.840.10045.2.1',
  ecdsaWithSHA256: '1.2.840.10045.4.3.2',
  ecdsaWithSHA384: '1.2.840.10045.4.3.3',
  ecdsaWithSHA512: '1.2.840.10045.4.3.4',
  secp256r1: '1.2.840.10045.3.1.7',
  secp384r1: '1.3.132.0.34',

  // X.509 extensions (RFC 5280)
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  cRLDistributionPoints: '2.5.29.31',
  certificatePolicies: '2.5.29.32',
  authorityKeyIdentifier: '2.5.29.35',
  extKeyUsage: '2.5.29.37',
  authorityInfoAccess: '1.3.6.1.5.5.7.1.1',
  qcStatements: '1.3.6.1.5.5.7.1.3',
  anyPolicy: '2.5.29.32.0',

  // Distinguished name attributes (X.520 / RFC 4519)
  commonName: '2.5.4.3',
  surname: '2.5.4.4',
  serialNumber: '2.5.4.5',
  countryName: '2.5.4.6',
  localityName: '2.5.4.7',
  stateOrProvinceName: '2.5.4.8',
  streetAddress: '2.5.4.9',
  organizationName: '2.5.4.10',
  organizationalUnitName: '2.5.4.11',
  title: '2.5.4.12',
  givenName: '2.5.4.42',
  emailAddress: '1.2.840.113549.1.9.1',

  // Russian qualified certificate profile (Order of FSB No. 795, 27.12.2011)
  ogrn: '1.2.643.100.1',
  snils: '1.2.643.100.3',
  innle: '1.2.643.100.4',
  ogrnip: '1.2.643.100.5',
  inn: '1.2.643.3.131.1.1',
  subjectSignTool: '1.2.643.100.111',
  issuerSignTool: '1.2.643.100.112',
  // Classes of the signing tool (certificate policies): KC1, KC2, KC3, KB1, KB2, KA1
  policyKC1: '1.2.643.100.113.1',
  policyKC2: '1.2.643.100.113.2',
  policyKC3: '1.2.643.100.113.3',
  policyKB1: '1.2.643.100.113.4',
  policyKB2: '1.2.643.100.113.5',
  policyKA1: '1.2.643.100.113.6',
} as const;

/** The certificate policies that mark a Russian qualified signing tool class (KC1..KA1). */
export const QUALIFIED_TOOL_POLICIES: readonly string[] = [
  OID.policyKC1,
  OID.policyKC2,
  OID.policyKC3,
  OID.policyKB1,
  OID.policyKB2,
  OID.policyKA1,
];
