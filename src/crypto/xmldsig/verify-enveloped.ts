/**
 * Verification of one ENVELOPED XML signature over a whole document, as ETSI TS 119 612 §5.7 and
 * XAdES sign trusted lists (W3C XML Signature Syntax and Processing 1.1, §3.2 core validation).
 * Deliberately narrow: same-document references only, the transforms enveloped-signature and
 * C14N 1.0 / Exclusive C14N 1.0, no XPath, no XSLT, no retrieval of anything.
 *
 * Against signature wrapping (the signed bytes are not the bytes the application reads) the
 * document must carry exactly one ds:Signature, as a child of the document element, with a
 * Reference that covers the document element itself (`URI=""` or `#` + the element's unique Id)
 * through the enveloped-signature transform; every other Reference may only point inside that
 * Signature (XAdES SignedProperties), and every Id used by a reference must be unique.
 *
 * SHA-1 (digests and rsa-sha1 / ecdsa-sha1) is refused unless `allowSha1` is set, and then accepted
 * with a warning: collisions for SHA-1 are practical (SHAttered, 2017) and trusted lists have been
 * signed with SHA-256 or better since TS 119 612 v2.1 (2015); the switch exists for archived lists.
 */
import { createHash, timingSafeEqual, verify as cryptoVerify, X509Certificate } from 'node:crypto';
import { C14N, c14nAlgorithm, DIGEST_METHODS, DSIG_NS, ENVELOPED_SIGNATURE, keyOptions, SIGNATURE_METHODS, type C14nAlgorithm, type HashName } from './algorithms.ts';
import { canonicalizeDocument, canonicalizeSubtree } from './c14n.ts';
import {
  attributeValue,
  childElements,
  descendantsAndSelf,
  directText,
  parseXmlTree,
  type XmlDocument,
  type XmlElement,
  type XmlTreeErrorCode,
  type XmlTreeLimits,
} from './xml-tree.ts';

export const XMLDSIG_ERROR_CODES = [
  'XMLDSIG_NO_SIGNATURE',
  'XMLDSIG_MALFORMED',
  'XMLDSIG_WRAPPING',
  'XMLDSIG_UNSUPPORTED_ALGORITHM',
  'XMLDSIG_DIGEST_MISMATCH',
  'XMLDSIG_NO_CERTIFICATE',
  'XMLDSIG_BAD_SIGNATURE',
] as const;

export type XmldsigErrorCode = (typeof XMLDSIG_ERROR_CODES)[number] | XmlTreeErrorCode;

export interface XmldsigError {
  code: XmldsigErrorCode;
  message: string;
}

export type XmldsigResult<T> = { ok: true; value: T } | { ok: false; error: XmldsigError };

export interface VerifyEnvelopedOptions {
  /** Parser limits (size, depth, node count); see DEFAULT_XML_TREE_LIMITS. */
  limits?: Partial<XmlTreeLimits>;
  /** Accept SHA-1 digests and signatures, with a warning (default: refuse). */
  allowSha1?: boolean;
}

export interface VerifiedReference {
  uri: string;
  type: string | null;
  digestMethod: string;
}

export interface VerifiedEnvelopedSignature {
  /** The parsed document; everything an application reads from it is covered by the signature. */
  document: XmlDocument;
  signature: XmlElement;
  /** DER of the KeyInfo certificate whose public key verified SignatureValue. */
  signerCertificate: Buffer;
  /** DER of every KeyInfo X509Certificate, in document order. */
  certificates: Buffer[];
  canonicalizationMethod: string;
  signatureMethod: string;
  references: VerifiedReference[];
  warnings: string[];
}

function fail(code: XmldsigErrorCode, message: string): { ok: false; error: XmldsigError } {
  return { ok: false, error: { code, message } };
}

/**
 * Parses `xml` with the strict parser and verifies its enveloped signature (XML-DSig 1.1 §3.2).
 * Expected failures are values with stable codes: XML_* from the parser, XMLDSIG_* otherwise.
 */
export function verifyEnvelopedSignature(xml: Uint8Array, options: VerifyEnvelopedOptions = {}): XmldsigResult<VerifiedEnvelopedSignature> {
  const parsed = parseXmlTree(xml, options.limits);
  if (!parsed.ok) return parsed;
  return verifyEnvelopedSignatureOf(parsed.value, options);
}

/** Same as `verifyEnvelopedSignature` over an already parsed document. */
export function verifyEnvelopedSignatureOf(document: XmlDocument, options: VerifyEnvelopedOptions = {}): XmldsigResult<VerifiedEnvelopedSignature> {
  const warnings: string[] = [];
  const weak = (what: string): XmldsigResult<never> | undefined => {
    if (options.allowSha1 !== true) return fail('XMLDSIG_UNSUPPORTED_ALGORITHM', `${what} uses SHA-1, which is refused`);
    warnings.push(`${what} uses SHA-1, accepted only because SHA-1 was explicitly allowed`);
    return undefined;
  };

  const root = document.root;
  const signatures = [...descendantsAndSelf(root)].filter((e) => e.namespaceURI === DSIG_NS && e.localName === 'Signature');
  const signature = signatures[0];
  if (signature === undefined) return fail('XMLDSIG_NO_SIGNATURE', 'the document carries no ds:Signature');
  if (signatures.length > 1) return fail('XMLDSIG_WRAPPING', `the document carries ${signatures.length} ds:Signature elements; exactly one is accepted`);
  if (signature.parent !== root) return fail('XMLDSIG_WRAPPING', 'the ds:Signature must be a child of the document element (enveloped)');

  const parts = childElements(signature);
  const [signedInfo, signatureValueEl] = parts;
  if (!isDsig(signedInfo, 'SignedInfo') || !isDsig(signatureValueEl, 'SignatureValue')) {
    return fail('XMLDSIG_MALFORMED', 'ds:Signature must start with ds:SignedInfo and ds:SignatureValue');
  }
  const keyInfo = parts.slice(2).filter((e) => isDsig(e, 'KeyInfo'));
  if (keyInfo.length > 1) return fail('XMLDSIG_MALFORMED', 'more than one ds:KeyInfo');

  const siParts = childElements(signedInfo);
  const [c14nEl, sigMethodEl, ...referenceEls] = siParts;
  if (!isDsig(c14nEl, 'CanonicalizationMethod') || !isDsig(sigMethodEl, 'SignatureMethod')) {
    return fail('XMLDSIG_MALFORMED', 'ds:SignedInfo must start with ds:CanonicalizationMethod and ds:SignatureMethod');
  }
  if (referenceEls.length === 0 || !referenceEls.every((r) => isDsig(r, 'Reference'))) return fail('XMLDSIG_MALFORMED', 'ds:SignedInfo must hold one or more ds:Reference and nothing else');

  const c14nUri = attributeValue(c14nEl, 'Algorithm') ?? '';
  const c14n = c14nAlgorithm(c14nUri);
  if (c14n === undefined) return fail('XMLDSIG_UNSUPPORTED_ALGORITHM', `canonicalisation method ${c14nUri} is not supported`);
  const sigUri = attributeValue(sigMethodEl, 'Algorithm') ?? '';
  const sigAlg = SIGNATURE_METHODS.get(sigUri);
  if (sigAlg === undefined) return fail('XMLDSIG_UNSUPPORTED_ALGORITHM', `signature method ${sigUri} is not supported`);
  if (childElements(sigMethodEl).length > 0) return fail('XMLDSIG_UNSUPPORTED_ALGORITHM', 'ds:SignatureMethod parameters (HMACOutputLength, PSS parameters) are not supported');
  if (sigAlg.hash === 'sha1') {
    const w = weak(`signature method ${sigUri}`);
    if (w !== undefined) return w;
  }

  const ids = indexIds(root);
  const references: VerifiedReference[] = [];
  let coversRoot = false;
  for (const ref of referenceEls) {
    const checked = checkReference(ref, { document, signature, ids, weak });
    if (!checked.ok) return checked;
    if (checked.value.coversRoot) coversRoot = true;
    references.push(checked.value.reference);
  }
  if (!coversRoot) return fail('XMLDSIG_WRAPPING', 'no ds:Reference covers the document element with the enveloped-signature transform');

  const certificates: Buffer[] = [];
  for (const ki of keyInfo) {
    for (const data of childElements(ki).filter((e) => isDsig(e, 'X509Data'))) {
      for (const c of childElements(data).filter((e) => isDsig(e, 'X509Certificate'))) {
        const der = decodeBase64(directText(c));
        if (der === undefined) return fail('XMLDSIG_MALFORMED', 'ds:X509Certificate is not base64');
        certificates.push(der);
      }
    }
  }
  if (certificates.length === 0) return fail('XMLDSIG_NO_CERTIFICATE', 'ds:KeyInfo carries no ds:X509Certificate to verify the signature with');

  const signatureValue = decodeBase64(directText(signatureValueEl));
  if (signatureValue === undefined || signatureValue.length === 0) return fail('XMLDSIG_MALFORMED', 'ds:SignatureValue is not base64');
  const signedBytes = Buffer.from(canonicalizeSubtree(signedInfo, { ...c14n, inclusivePrefixes: inclusivePrefixesOf(c14nEl) }), 'utf8');

  let signer: Buffer | undefined;
  for (const der of certificates) {
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(der);
    } catch {
      return fail('XMLDSIG_MALFORMED', 'a ds:X509Certificate is not a readable X.509 certificate');
    }
    const keyType = cert.publicKey.asymmetricKeyType;
    const fits = sigAlg.key === 'ec' ? keyType === 'ec' : keyType === 'rsa' || (sigAlg.key === 'rsa-pss' && keyType === 'rsa-pss');
    if (!fits) continue;
    let good = false;
    try {
      good = cryptoVerify(sigAlg.hash, signedBytes, { key: cert.publicKey, ...keyOptions(sigAlg) }, signatureValue);
    } catch {
      good = false;
    }
    if (good) {
      signer = der;
      break;
    }
  }
  if (signer === undefined) return fail('XMLDSIG_BAD_SIGNATURE', 'ds:SignatureValue does not verify with the ds:KeyInfo certificate');
  return {
    ok: true,
    value: { document, signature, signerCertificate: signer, certificates, canonicalizationMethod: c14nUri, signatureMethod: sigUri, references, warnings },
  };
}

interface ReferenceContext {
  document: XmlDocument;
  signature: XmlElement;
  ids: ReadonlyMap<string, XmlElement[]>;
  weak: (what: string) => XmldsigResult<never> | undefined;
}

/** One Reference through XML-DSig §4.4.3 dereferencing, §6.6 transforms and §4.4.3.2 digesting. */
function checkReference(ref: XmlElement, ctx: ReferenceContext): XmldsigResult<{ reference: VerifiedReference; coversRoot: boolean }> {
  const uri = attributeValue(ref, 'URI');
  if (uri === undefined) return fail('XMLDSIG_UNSUPPORTED_ALGORITHM', 'a ds:Reference without URI (application-defined data) is not supported');
  const kids = childElements(ref);
  const transformsEl = kids[0] !== undefined && isDsig(kids[0], 'Transforms') ? kids[0] : undefined;
  const rest = transformsEl === undefined ? kids : kids.slice(1);
  const [digestMethodEl, digestValueEl, ...extra] = rest;
  if (!isDsig(digestMethodEl, 'DigestMethod') || !isDsig(digestValueEl, 'DigestValue') || extra.length > 0) {
    return fail('XMLDSIG_MALFORMED', `ds:Reference ${uri} must hold [ds:Transforms] ds:DigestMethod ds:DigestValue`);
  }
  const digestUri = attributeValue(digestMethodEl, 'Algorithm') ?? '';
  const hash: HashName | undefined = DIGEST_METHODS[digestUri];
  if (hash === undefined) return fail('XMLDSIG_UNSUPPORTED_ALGORITHM', `digest method ${digestUri} is not supported`);
  if (hash === 'sha1') {
    const w = ctx.weak(`the digest of reference "${uri}"`);
    if (w !== undefined) return w;
  }

  const root = ctx.document.root;
  let target: XmlElement | 'document';
  if (uri === '') {
    target = 'document';
  } else if (uri.startsWith('#') && !uri.startsWith('#xpointer(')) {
    const id = uri.slice(1);
    const found = ctx.ids.get(id) ?? [];
    if (found.length > 1) return fail('XMLDSIG_WRAPPING', `Id "${id}" appears on ${found.length} elements`);
    const el = found[0];
    if (el === undefined) return fail('XMLDSIG_MALFORMED', `no element has Id "${id}"`);
    target = el;
  } else {
    return fail('XMLDSIG_UNSUPPORTED_ALGORITHM', `reference URI ${uri}: only "" and "#id" same-document references are supported`);
  }
  const isRoot = target === 'document' || target === root;
  if (!isRoot && !(target !== 'document' && isInside(target, ctx.signature))) {
    return fail('XMLDSIG_WRAPPING', `reference ${uri} points at an element other than the document element`);
  }

  let enveloped = false;
  let octets: Buffer | undefined;
  const transforms = transformsEl === undefined ? [] : childElements(transformsEl);
  for (const t of transforms) {
    if (!isDsig(t, 'Transform')) return fail('XMLDSIG_MALFORMED', 'ds:Transforms holds only ds:Transform');
    if (octets !== undefined) return fail('XMLDSIG_UNSUPPORTED_ALGORITHM', 'no transform is supported after canonicalisation');
    const alg = attributeValue(t, 'Algorithm') ?? '';
    if (alg === ENVELOPED_SIGNATURE) {
      enveloped = true;
      continue;
    }
    const c14n = c14nAlgorithm(alg);
    if (c14n === undefined) return fail('XMLDSIG_UNSUPPORTED_ALGORITHM', `transform ${alg} is not supported`);
    octets = canonicalNodeSet(target, ctx, enveloped, c14n, inclusivePrefixesOf(t));
  }
  // XML-DSig §4.4.3.2: a node-set left at the end is converted with Canonical XML 1.0 (no comments).
  octets ??= canonicalNodeSet(target, ctx, enveloped, { method: 'c14n', withComments: false }, []);

  const expected = decodeBase64(directText(digestValueEl));
  if (expected === undefined) return fail('XMLDSIG_MALFORMED', `ds:DigestValue of reference "${uri}" is not base64`);
  const actual = createHash(hash).update(octets).digest();
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) {
    return fail('XMLDSIG_DIGEST_MISMATCH', `the digest of reference "${uri}" does not match: the signed content was changed`);
  }
  return { ok: true, value: { reference: { uri, type: attributeValue(ref, 'Type') ?? null, digestMethod: digestUri }, coversRoot: isRoot && enveloped } };
}

function canonicalNodeSet(target: XmlElement | 'document', ctx: ReferenceContext, enveloped: boolean, c14n: C14nAlgorithm, prefixes: string[]): Buffer {
  // Same-document references never carry comments (XML-DSig §4.4.3.3), whatever the transform says.
  const options = {
    method: c14n.method,
    withComments: false,
    inclusivePrefixes: prefixes,
    ...(enveloped ? { exclude: (el: XmlElement) => el === ctx.signature } : {}),
  };
  const s = target === 'document' ? canonicalizeDocument(ctx.document, options) : canonicalizeSubtree(target, options);
  return Buffer.from(s, 'utf8');
}

const EXC_C14N_NS = C14N.exclusive;

function inclusivePrefixesOf(el: XmlElement): string[] {
  const inc = childElements(el).find((e) => e.namespaceURI === EXC_C14N_NS && e.localName === 'InclusiveNamespaces');
  const list = inc === undefined ? undefined : attributeValue(inc, 'PrefixList');
  return list === undefined ? [] : list.split(/[ \t\r\n]+/u).filter((p) => p !== '');
}

/** Elements by the values of their unqualified Id / ID / id attributes (all kept, to detect duplicates). */
function indexIds(root: XmlElement): Map<string, XmlElement[]> {
  const ids = new Map<string, XmlElement[]>();
  for (const el of descendantsAndSelf(root)) {
    for (const a of el.attributes) {
      if (a.namespaceURI !== null || (a.localName !== 'Id' && a.localName !== 'ID' && a.localName !== 'id')) continue;
      const list = ids.get(a.value);
      if (list === undefined) ids.set(a.value, [el]);
      else if (!list.includes(el)) list.push(el);
    }
  }
  return ids;
}

function isInside(el: XmlElement, ancestor: XmlElement): boolean {
  for (let p: XmlElement | null = el; p !== null; p = p.parent) if (p === ancestor) return true;
  return false;
}

function isDsig(el: XmlElement | undefined, localName: string): el is XmlElement {
  return el !== undefined && el.namespaceURI === DSIG_NS && el.localName === localName;
}

function decodeBase64(text: string): Buffer | undefined {
  const compact = text.replace(/[ \t\r\n]+/gu, '');
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/u.test(compact)) return undefined;
  return Buffer.from(compact, 'base64');
}
