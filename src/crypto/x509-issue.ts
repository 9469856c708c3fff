import { createHash, randomBytes, sign as nodeSign, type KeyObject } from 'node:crypto';
import * as asn1js from 'asn1js';
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
  subjectPublicKey: KeyObject;
  /** The issuing CA, or `'self'` for a self-signed root (then `selfPrivateKey` signs). */
  issuer: { certificate: Buffer; privateKey: KeyObject } | 'self';
  selfPrivateKey?: KeyObject;
  notBefore: Date;
  notAfter: Date;
  /** A CA certificate: basicConstraints cA, keyCertSign + cRLSign. */
  ca?: boolean;
  pathLength?: number;
  /** Defaults: CA -> keyCertSign, cRLSign, digitalSignature; end entity -> digitalSignature, nonRepudiation. */
  keyUsage?: readonly KeyUsageName[];
  extendedKeyUsage?: readonly ExtendedKeyUsageName[];
  /**
   * Marks the Russian qualified profile: certificate policy KC1 and the subjectSignTool /
   * issuerSignTool extensions naming the (here: development, not certified) tools.
   */
  qualifiedProfile?: boolean;
  /** Serial number bytes; default 16 random bytes (RFC 5280 §4.1.2.2: positive, ≤ 20 octets). */
  serialNumber?: Buffer;
}

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

function attributeValue(oid: string, value: string): asn1js.BaseBlock {
  if (oid === OID.countryName) return new asn1js.PrintableString({ value });
  if (oid === OID.emailAddress) return new asn1js.IA5String({ value });
  if (NUMERIC_ATTRIBUTES.has(oid)) {
    if (!/^\d+$/u.test(value)) throw new Error(`attribute ${oid} must be digits: ${value}`);
    return new asn1js.NumericString({ value });
  }
  return new asn1js.Utf8String({ value });
}

function encodeName(subject: SubjectInfo): asn1js.Sequence {
  const rdns: asn1js.Set[] = [];
  for (const [key, oid] of SUBJECT_ORDER) {
    const value = subject[key];
    if (value === undefined || value === '') continue;
    rdns.push(
      new asn1js.Set({ value: [new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: oid }), attributeValue(oid, value)] })] }),
    );
  }
  return new asn1js.Sequence({ value: rdns });
}

function encodeTime(date: Date): asn1js.BaseBlock {
  const whole = new Date(Math.floor(date.getTime() / 1000) * 1000);
  // RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050.
  return whole.getUTCFullYear() < 2050 ? new asn1js.UTCTime({ valueDate: whole }) : new asn1js.GeneralizedTime({ valueDate: whole });
}

function extension(oid: string, critical: boolean, value: ArrayBuffer | Uint8Array): asn1js.Sequence {
  const parts: asn1js.BaseBlock[] = [new asn1js.ObjectIdentifier({ value: oid })];
  if (critical) parts.push(new asn1js.Boolean({ value: true }));
  parts.push(new asn1js.OctetString({ valueHex: value instanceof Uint8Array ? value : new Uint8Array(value) }));
  return new asn1js.Sequence({ value: parts });
}

/** DER of a KeyUsage named-bit BIT STRING: trailing zero bits removed (X.690 §11.2.2). */
function encodeKeyUsage(names: readonly KeyUsageName[]): Uint8Array {
  const bits = names.map((n) => KEY_USAGE_NAMES.indexOf(n));
  const highest = Math.max(...bits);
  const length = Math.floor(highest / 8) + 1;
  const bytes = new Uint8Array(length);
  for (const b of bits) bytes[Math.floor(b / 8)] = (bytes[Math.floor(b / 8)] ?? 0) | (0x80 >> (b % 8));
  const unused = 7 - (highest % 8);
  return Uint8Array.from([0x03, length + 1, unused, ...bytes]);
}

function subjectPublicKeyBits(spki: Buffer): Uint8Array {
  const parsed = asn1js.fromBER(new Uint8Array(spki));
  const seq = parsed.result;
  if (parsed.offset === -1 || !(seq instanceof asn1js.Sequence)) throw new Error('bad SubjectPublicKeyInfo');
  const bits = seq.valueBlock.value[1];
  if (!(bits instanceof asn1js.BitString)) throw new Error('bad SubjectPublicKeyInfo');
  return bits.valueBlock.valueHexView.slice(0);
}

/** RFC 5280 §4.2.1.2 method (1): SHA-1 of the subjectPublicKey BIT STRING value. */
export function keyIdentifier(spki: Buffer): Buffer {
  return createHash('sha1').update(subjectPublicKeyBits(spki)).digest();
}

interface SignatureChoice {
  algorithm: asn1js.Sequence;
  hash: string;
}

function signatureAlgorithmFor(key: KeyObject): SignatureChoice {
  const type = key.asymmetricKeyType;
  if (type === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    const [oid, hash] = curve === 'secp384r1' ? [OID.ecdsaWithSHA384, 'sha384'] : [OID.ecdsaWithSHA256, 'sha256'];
    return { algorithm: new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: oid })] }), hash };
  }
  if (type === 'rsa') {
    return {
      algorithm: new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: OID.sha256WithRSAEncryption }), new asn1js.Null()] }),
      hash: 'sha256',
    };
  }
  throw new Error(`cannot issue certificates with a ${type ?? 'unknown'} key`);
}

function extractField(certificate: Buffer, index: number): asn1js.BaseBlock {
  const parsed = asn1js.fromBER(new Uint8Array(certificate));
  const cert = parsed.result;
  if (parsed.offset === -1 || !(cert instanceof asn1js.Sequence)) throw new Error('issuer certificate is not DER');
  const tbs = cert.valueBlock.value[0];
  if (!(tbs instanceof asn1js.Sequence)) throw new Error('issuer certificate is not DER');
  const field = tbs.valueBlock.value[index];
  if (field === undefined) throw new Error('issuer certificate is truncated');
  return field;
}

/**
 * Issues an X.509 v3 certificate (RFC 5280) signed with node:crypto. Used by the development PKI
 * and by tests; production certificates come from accredited CAs.
 */
export function issueCertificate(input: IssueCertificateInput): Buffer {
  const signerKey = input.issuer === 'self' ? input.selfPrivateKey : input.issuer.privateKey;
  if (signerKey === undefined) throw new Error('a self-signed certificate needs selfPrivateKey');
  const spki = input.subjectPublicKey.export({ type: 'spki', format: 'der' });
  const subjectName = encodeName(input.subject);
  let issuerName: asn1js.BaseBlock;
  let authorityKeyId: Buffer;
  if (input.issuer === 'self') {
    issuerName = subjectName;
    authorityKeyId = keyIdentifier(spki);
  } else {
    // The issuer's subject Name is copied byte for byte (tbsCertificate field 5), so the chain
    // matches however the issuer's name was encoded.
    issuerName = extractField(input.issuer.certificate, 5);
    const issuerSpki = Buffer.from(extractField(input.issuer.certificate, 6).toBER());
    authorityKeyId = keyIdentifier(issuerSpki);
  }

  const serial = Buffer.from(input.serialNumber ?? randomBytes(16));
  serial[0] = ((serial[0] ?? 0) & 0x7f) | 0x01;
  const ca = input.ca === true;
  const keyUsage = input.keyUsage ?? (ca ? ['digitalSignature', 'keyCertSign', 'cRLSign'] : ['digitalSignature', 'nonRepudiation']);

  const basicConstraints: asn1js.BaseBlock[] = [];
  if (ca) {
    basicConstraints.push(new asn1js.Boolean({ value: true }));
    if (input.pathLength !== undefined) basicConstraints.push(new asn1js.Integer({ value: input.pathLength }));
  }
  const extensions: asn1js.Sequence[] = [
    extension(OID.basicConstraints, ca, new asn1js.Sequence({ value: basicConstraints }).toBER()),
    extension(OID.keyUsage, true, encodeKeyUsage(keyUsage)),
    extension(OID.subjectKeyIdentifier, false, new asn1js.OctetString({ valueHex: keyIdentifier(spki) }).toBER()),
    extension(
      OID.authorityKeyIdentifier,
      false,
      new asn1js.Sequence({ value: [new asn1js.Primitive({ idBlock: { tagClass: 3, tagNumber: 0 }, valueHex: authorityKeyId })] }).toBER(),
    ),
  ];
  if (input.extendedKeyUsage !== undefined && input.extendedKeyUsage.length > 0) {
    extensions.push(
      extension(
        OID.extKeyUsage,
        false,
        new asn1js.Sequence({ value: input.extendedKeyUsage.map((n) => new asn1js.ObjectIdentifier({ value: EXTENDED_KEY_USAGE_OIDS[n] })) }).toBER(),
      ),
    );
  }
  if (input.qualifiedProfile === true) {
    const policies = ca ? [OID.anyPolicy] : [OID.policyKC1];
    extensions.push(
      extension(
        OID.certificatePolicies,
        false,
        new asn1js.Sequence({ value: policies.map((p) => new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: p })] })) }).toBER(),
      ),
    );
    extensions.push(extension(OID.subjectSignTool, false, new asn1js.Utf8String({ value: 'edx-gateway development signing tool (not certified)' }).toBER()));
    if (!ca) {
      extensions.push(
        extension(
          OID.issuerSignTool,
          false,
          new asn1js.Sequence({
            value: [
              'edx-gateway development CA tool (not certified)',
              'edx-gateway development CA (not certified)',
              'development only: no certificate of conformity',
              'development only: no certificate of conformity',
            ].map((value) => new asn1js.Utf8String({ value })),
          }).toBER(),
        ),
      );
    }
  }

  const signature = signatureAlgorithmFor(signerKey);
  const tbs = new asn1js.Sequence({
    value: [
      new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 0 }, value: [new asn1js.Integer({ value: 2 })] }),
      new asn1js.Integer({ valueHex: serial }),
      signature.algorithm,
      issuerName,
      new asn1js.Sequence({ value: [encodeTime(input.notBefore), encodeTime(input.notAfter)] }),
      subjectName,
      asn1js.fromBER(new Uint8Array(spki)).result,
      new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 3 }, value: [new asn1js.Sequence({ value: extensions })] }),
    ],
  });
  const tbsDer = Buffer.from(tbs.toBER());
  const signatureValue = nodeSign(signature.hash, tbsDer, signerKey);
  const certificate = new asn1js.Sequence({
    value: [
      asn1js.fromBER(new Uint8Array(tbsDer)).result,
      signatureAlgorithmFor(signerKey).algorithm,
      new asn1js.BitString({ valueHex: signatureValue }),
    ],
  });
  return Buffer.from(certificate.toBER());
}
