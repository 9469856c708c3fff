/**
 * The XML-DSig algorithm identifiers this verifier accepts (W3C XML Signature 1.1 §6, RFC 6931
 * "Additional XML Security URIs"), mapped to node:crypto.
 */
import { constants } from 'node:crypto';

export const DSIG_NS = 'http://www.w3.org/2000/09/xmldsig#';

export const C14N = {
  inclusive: 'http://www.w3.org/TR/2001/REC-xml-c14n-20010315',
  inclusiveWithComments: 'http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments',
  exclusive: 'http://www.w3.org/2001/10/xml-exc-c14n#',
  exclusiveWithComments: 'http://www.w3.org/2001/10/xml-exc-c14n#WithComments',
} as const;

export const ENVELOPED_SIGNATURE = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature';

export interface C14nAlgorithm {
  method: 'c14n' | 'exc-c14n';
  withComments: boolean;
}

const C14N_ALGORITHMS: Readonly<Record<string, C14nAlgorithm>> = {
  [C14N.inclusive]: { method: 'c14n', withComments: false },
  [C14N.inclusiveWithComments]: { method: 'c14n', withComments: true },
  [C14N.exclusive]: { method: 'exc-c14n', withComments: false },
  [C14N.exclusiveWithComments]: { method: 'exc-c14n', withComments: true },
};

/** The canonicalisation a CanonicalizationMethod / Transform URI names, if supported. */
export function c14nAlgorithm(uri: string): C14nAlgorithm | undefined {
  return C14N_ALGORITHMS[uri];
}

export type HashName = 'sha1' | 'sha256' | 'sha384' | 'sha512';

export const DIGEST_METHODS: Readonly<Record<string, HashName>> = {
  'http://www.w3.org/2000/09/xmldsig#sha1': 'sha1',
  'http://www.w3.org/2001/04/xmlenc#sha256': 'sha256',
  'http://www.w3.org/2001/04/xmldsig-more#sha384': 'sha384',
  'http://www.w3.org/2001/04/xmlenc#sha512': 'sha512',
};

export interface SignatureAlgorithm {
  uri: string;
  hash: HashName;
  key: 'rsa' | 'rsa-pss' | 'ec';
}

const SIGNATURE_LIST: readonly SignatureAlgorithm[] = [
  { uri: 'http://www.w3.org/2000/09/xmldsig#rsa-sha1', hash: 'sha1', key: 'rsa' },
  { uri: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256', hash: 'sha256', key: 'rsa' },
  { uri: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha384', hash: 'sha384', key: 'rsa' },
  { uri: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512', hash: 'sha512', key: 'rsa' },
  // RFC 6931 §2.3.10: RSASSA-PSS, MGF1 with the same hash, salt as long as the hash, trailer 1.
  { uri: 'http://www.w3.org/2007/05/xmldsig-more#sha256-rsa-MGF1', hash: 'sha256', key: 'rsa-pss' },
  { uri: 'http://www.w3.org/2007/05/xmldsig-more#sha384-rsa-MGF1', hash: 'sha384', key: 'rsa-pss' },
  { uri: 'http://www.w3.org/2007/05/xmldsig-more#sha512-rsa-MGF1', hash: 'sha512', key: 'rsa-pss' },
  { uri: 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha1', hash: 'sha1', key: 'ec' },
  { uri: 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256', hash: 'sha256', key: 'ec' },
  { uri: 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384', hash: 'sha384', key: 'ec' },
  { uri: 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512', hash: 'sha512', key: 'ec' },
];

export const SIGNATURE_METHODS: ReadonlyMap<string, SignatureAlgorithm> = new Map(SIGNATURE_LIST.map((a) => [a.uri, a]));

export const HASH_LENGTH: Readonly<Record<HashName, number>> = { sha1: 20, sha256: 32, sha384: 48, sha512: 64 };

/** Options for `crypto.verify` / `crypto.sign` with this algorithm's key type. */
export function keyOptions(alg: SignatureAlgorithm): { padding?: number; saltLength?: number; dsaEncoding?: 'ieee-p1363' } {
  if (alg.key === 'rsa-pss') return { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: HASH_LENGTH[alg.hash] };
  // XML-DSig ECDSA SignatureValue is r || s, each as long as the field (RFC 4050 §3.3, XML-DSig 1.1 §6.4.3).
  if (alg.key === 'ec') return { dsaEncoding: 'ieee-p1363' };
  return { padding: constants.RSA_PKCS1_PADDING };
}
