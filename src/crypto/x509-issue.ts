import { createHash, randomBytes, sign as nodeSign } from 'node:crypto';
import { digestBytes } from './digest.ts';
import { GOST_OIDS, gostSign } from './gost/index.ts';
import { isGostSigningKey, publicKeySpkiDer, type SigningKey, type SubjectPublicKey } from './keys.ts';
import { bitString, bool, children, explicit, implicitPrimitive, integer, ia5String, nullDer, numericString, octetString, oid, printableString, seq, setOf, utf8String, x509Time } from './der-writer.ts';
import { OID } from './oids.ts';

/** Subject attributes, including those of the Russian qualified certificate profile (FSB order 795). */
export interface SubjectInfo {
  commonName: string;
  country?: string;
  stateOrProvince?: string;
  locality?: string;
  street?: string;
  organization?: string;
  organizationalUnit?: string;
  title?: string;
  surname?: string;
  /** Given name and patronymic, as the Russian profile puts them together. */
  givenName?: string;
  email?: string;
  /** OGRN of the legal entity (13 digits). */
  ogrn?: string;
  /** OGRNIP of an individual entrepreneur (15 digits). */
  ogrnip?: string;
  /** SNILS of the natural person (11 digits). */
  snils?: string;
  /** INN of the legal entity (10 digits). */
  innle?: string;
  /** INN of the natural person (12 digits). */
  inn?: string;
}

export const KEY_USAGE_NAMES = [
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
] as const;
export type KeyUsageName = (typeof KEY_USAGE_NAMES)[number];

export const EXTENDED_KEY_USAGE_OIDS = {
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
  codeSigning: '1.3.6.1.5.5.7.3.3',
  emailProtection: '1.3.6.1.5.5.7.3.4',
  timeStamping: '1.3.6.1.5.5.7.3.8',
  OCSPSigning: '1.3.6.1.5.5.7.3.9',
} as const;
export type ExtendedKeyUsageName = keyof typeof EXTENDED_KEY_USAGE_OIDS;

export interface IssueCertificateInput {
  subject: SubjectInfo;
  subjectPublicKey: SubjectPublicKey;
  /** The issuing CA, or `'self'` for a self-signed root (then `selfPrivateKey` signs). */
  issuer: { certificate: Buffer; privateKey: SigningKey } | 'self';
  selfPrivateKey?: SigningKey;
  notBefore: Date;
  notAfter: Date;
  /** A CA certificate: basicConstraints cA, keyCertSign + cRLSign. */
  ca?: boolean;
  pathLength?: number;
  /** Defaults: CA -> keyCertSign, cRLSign, digitalSignature; end entity -> digitalSignature, nonRepudiation. */
  keyUsage?: readonly KeyUsageName[];
  extendedKeyUsage?: readonly ExtendedKeyUsageName[];
  /** Marks extendedKeyUsage critical, as RFC 3161 §2.3 requires of a TSA certificate. */
  extendedKeyUsageCritical?: boolean;
  /** CRL distribution point URLs (RFC 5280 §4.2.1.13), one DistributionPoint each. */
  crlDistributionPoints?: readonly string[];
  /** OCSP responder URLs in authorityInfoAccess (RFC 5280 §4.2.2.1, RFC 6960). */
  ocspUrls?: readonly string[];
  /**
   * Marks the Russian qualified profile: certificate policy KC1 and the subjectSignTool /
   * issuerSignTool extensions naming the (here: development, not certified) tools.
   */
  qualifiedProfile?: boolean;
  /** Serial number bytes; default 16 random bytes (RFC 5280 §4.1.2.2: positive, ≤ 20 octets). */
  serialNumber?: Buffer;
}

/** id-ad-ocsp (RFC 5280 §4.2.2.1). */
const OID_AD_OCSP = '1.3.6.1.5.5.7.48.1';

const NUMERIC_ATTRIBUTES = new Set<string>([OID.ogrn, OID.ogrnip, OID.snils, OID.innle, OID.inn]);

// The RDN order of Russian qualified certificates: location, organisation, person, identifiers.
const SUBJECT_ORDER: readonly [keyof SubjectInfo, string][] = [
  ['country', OID.countryName],
  ['stateOrProvince', OID.stateOrProvinceName],
  ['locality', OID.localityName],
  ['street', OID.streetAddress],
  ['organization', OID.organizationName],
  ['organizationalUnit', OID.organizationalUnitName],
  ['title', OID.title],
  ['commonName', OID.commonName],
  ['surname', OID.surname],
  ['givenName', OID.givenName],
  ['email', OID.emailAddress],
  ['ogrn', OID.ogrn],
  ['ogrnip', OID.ogrnip],
  ['snils', OID.snils],
  ['innle', OID.innle],
  ['inn', OID.inn],
];

function attributeValue(attr: string, value: string): Buffer {
  if (attr === OID.countryName) return printableString(value);
  if (attr === OID.emailAddress) return ia5String(value);
  if (NUMERIC_ATTRIBUTES.has(attr)) {
    if (!/^\d+$/u.test(value)) throw new Error(`attribute ${attr} must be digits: ${value}`);
    return numericString(value);
  }
  return utf8String(value);
}

function encodeName(subject: SubjectInfo): Buffer {
  const rdns: Buffer[] = [];
  for (const [key, attr] of SUBJECT_ORDER) {
    const value = subject[key];
    if (value === undefined || value === '') continue;
    rdns.push(setOf(seq(oid(attr), attributeValue(attr, value))));
  }
  return seq(...rdns);
}

function extension(extnId: string, critical: boolean, value: Uint8Array): Buffer {
  return critical ? seq(oid(extnId), bool(true), octetString(value)) : seq(oid(extnId), octetString(value));
}

/** DER of a KeyUsage named-bit BIT STRING: trailing zero bits removed (X.690 §11.2.2). */
function encodeKeyUsage(names: readonly KeyUsageName[]): Buffer {
  const bits = names.map((n) => KEY_USAGE_NAMES.indexOf(n));
  const highest = Math.max(...bits);
  const bytes = new Uint8Array(Math.floor(highest / 8) + 1);
  for (const b of bits) bytes[Math.floor(b / 8)] = (bytes[Math.floor(b / 8)] ?? 0) | (0x80 >> (b % 8));
  return bitString(bytes, 7 - (highest % 8));
}

function subjectPublicKeyBits(spki: Uint8Array): Uint8Array {
  const bits = children(spki)[1];
  if (bits === undefined || bits.tag !== 0x03) throw new Error('bad SubjectPublicKeyInfo');
  return bits.content.subarray(1);
}

/** RFC 5280 §4.2.1.2 method (1): SHA-1 of the subjectPublicKey BIT STRING value. */
export function keyIdentifier(spki: Uint8Array): Buffer {
  return createHash('sha1').update(subjectPublicKeyBits(spki)).digest();
}

export interface SignatureChoice {
  /** The AlgorithmIdentifier DER, for tbsCertificate.signature and Certificate.signatureAlgorithm. */
  algorithm: Buffer;
  sign(tbs: Buffer): Buffer;
}

/** How `key` signs certificates and CRLs; internal to the issuing code (not exported from index.ts). */
export function signatureAlgorithmFor(key: SigningKey): SignatureChoice {
  if (isGostSigningKey(key)) {
    // RFC 9215 §3.1: id-tc26-signwithdigest-gost3410-12-256/512 with absent parameters; the
    // signature is over Streebog of the same size as the key, s || r as gostSign returns it.
    const bits = key.privateKey.paramSet.curve.bits;
    return {
      algorithm: seq(oid(bits === 256 ? GOST_OIDS.signature256 : GOST_OIDS.signature512)),
      sign(tbs) {
        const signed = gostSign({ digest: digestBytes(bits === 256 ? 'streebog-256' : 'streebog-512', tbs), privateKey: key.privateKey });
        if (!signed.ok) throw new Error(`GOST signing failed: ${signed.error.message}`);
        return signed.value;
      },
    };
  }
  const type = key.asymmetricKeyType;
  const withNode = (algorithm: Buffer, hash: string): SignatureChoice => ({ algorithm, sign: (tbs) => nodeSign(hash, tbs, key) });
  if (type === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    return curve === 'secp384r1' ? withNode(seq(oid(OID.ecdsaWithSHA384)), 'sha384') : withNode(seq(oid(OID.ecdsaWithSHA256)), 'sha256');
  }
  if (type === 'rsa') return withNode(seq(oid(OID.sha256WithRSAEncryption), nullDer()), 'sha256');
  throw new Error(`cannot issue certificates with a ${type ?? 'unknown'} key`);
}

/** The n-th field of a certificate's tbsCertificate, as its exact DER bytes. */
export function tbsField(certificate: Uint8Array, index: number): Buffer {
  const tbs = children(certificate)[0];
  if (tbs === undefined) throw new Error('issuer certificate is not DER');
  const field = children(tbs.bytes)[index];
  if (field === undefined) throw new Error('issuer certificate is truncated');
  return field.bytes;
}

/**
 * Issues an X.509 v3 certificate (RFC 5280) signed with node:crypto (RSA, ECDSA) or with
 * src/crypto/gost (GOST R 34.10-2012, RFC 9215 §3–4). Used by the development PKI and by tests;
 * production certificates come from accredited CAs.
 */
export function issueCertificate(input: IssueCertificateInput): Buffer {
  const signerKey = input.issuer === 'self' ? input.selfPrivateKey : input.issuer.privateKey;
  if (signerKey === undefined) throw new Error('a self-signed certificate needs selfPrivateKey');
  const spki = publicKeySpkiDer(input.subjectPublicKey);
  const subjectName = encodeName(input.subject);
  let issuerName: Buffer;
  let authorityKeyId: Buffer;
  if (input.issuer === 'self') {
    issuerName = subjectName;
    authorityKeyId = keyIdentifier(spki);
  } else {
    // The issuer's subject Name is copied byte for byte (tbsCertificate field 5), so the chain
    // matches however the issuer's name was encoded.
    issuerName = tbsField(input.issuer.certificate, 5);
    authorityKeyId = keyIdentifier(tbsField(input.issuer.certificate, 6));
  }

  const serial = Buffer.from(input.serialNumber ?? randomBytes(16));
  serial[0] = ((serial[0] ?? 0) & 0x7f) | 0x01;
  const ca = input.ca === true;
  const keyUsage = input.keyUsage ?? (ca ? ['digitalSignature', 'keyCertSign', 'cRLSign'] : ['digitalSignature', 'nonRepudiation']);

  const basicConstraints = ca ? seq(bool(true), ...(input.pathLength === undefined ? [] : [integer(input.pathLength)])) : seq();
  const extensions: Buffer[] = [
    extension(OID.basicConstraints, ca, basicConstraints),
    extension(OID.keyUsage, true, encodeKeyUsage(keyUsage)),
    extension(OID.subjectKeyIdentifier, false, octetString(keyIdentifier(spki))),
    extension(OID.authorityKeyIdentifier, false, seq(implicitPrimitive(0, authorityKeyId))),
  ];
  if (input.extendedKeyUsage !== undefined && input.extendedKeyUsage.length > 0) {
    extensions.push(extension(OID.extKeyUsage, input.extendedKeyUsageCritical === true, seq(...input.extendedKeyUsage.map((n) => oid(EXTENDED_KEY_USAGE_OIDS[n])))));
  }
  if (input.crlDistributionPoints !== undefined && input.crlDistributionPoints.length > 0) {
    // DistributionPoint { distributionPoint [0] { fullName [0] GeneralNames { [6] URI } } }
    const points = input.crlDistributionPoints.map((url) => seq(explicit(0, explicit(0, implicitPrimitive(6, Buffer.from(url, 'ascii'))))));
    extensions.push(extension(OID.cRLDistributionPoints, false, seq(...points)));
  }
  if (input.ocspUrls !== undefined && input.ocspUrls.length > 0) {
    const descriptions = input.ocspUrls.map((url) => seq(oid(OID_AD_OCSP), implicitPrimitive(6, Buffer.from(url, 'ascii'))));
    extensions.push(extension(OID.authorityInfoAccess, false, seq(...descriptions)));
  }
  if (input.qualifiedProfile === true) {
    const policies = ca ? [OID.anyPolicy] : [OID.policyKC1];
    extensions.push(extension(OID.certificatePolicies, false, seq(...policies.map((p) => seq(oid(p))))));
    extensions.push(extension(OID.subjectSignTool, false, utf8String('edx-gateway development signing tool (not certified)')));
    if (!ca) {
      extensions.push(
        extension(
          OID.issuerSignTool,
          false,
          seq(
            ...[
              'edx-gateway development CA tool (not certified)',
              'edx-gateway development CA (not certified)',
              'development only: no certificate of conformity',
              'development only: no certificate of conformity',
            ].map((value) => utf8String(value)),
          ),
        ),
      );
    }
  }

  const signature = signatureAlgorithmFor(signerKey);
  const tbs = seq(
    explicit(0, integer(2)),
    integer(serial),
    signature.algorithm,
    issuerName,
    seq(x509Time(new Date(Math.floor(input.notBefore.getTime() / 1000) * 1000)), x509Time(new Date(Math.floor(input.notAfter.getTime() / 1000) * 1000))),
    subjectName,
    spki,
    explicit(3, seq(...extensions)),
  );
  return seq(tbs, signature.algorithm, bitString(signature.sign(tbs)));
}
