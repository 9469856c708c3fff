/**
 * A test-only XML-DSig enveloped signer, so tests can make signatures with algorithms and shapes
 * xmlsec1 does not produce (RSA-PSS, odd prefixes) and can feed our signatures to `xmlsec1
 * --verify`. Not exported from the folder's index: the gateway never signs XML with it.
 */
import { createHash, sign as cryptoSign, type KeyObject } from 'node:crypto';
import { C14N, DIGEST_METHODS, DSIG_NS, ENVELOPED_SIGNATURE, keyOptions, SIGNATURE_METHODS } from './algorithms.ts';
import { canonicalizeDocument, canonicalizeSubtree } from './c14n.ts';
import { attributeValue, childElements, parseXmlTree } from './xml-tree.ts';

export interface TestSignOptions {
  /** The unsigned document; must not contain a ds:Signature. */
  xml: string;
  privateKey: KeyObject;
  certificateDer: Uint8Array;
  signatureMethod: string;
  digestMethod?: string;
  canonicalizationMethod?: string;
  /** '' (default) or '#' + the document element's Id. */
  referenceUri?: string;
  /** Prefix for the ds namespace ('' = default namespace). */
  prefix?: string;
}

/** Returns `xml` with an enveloped ds:Signature appended as the last child of the document element. */
export function signEnvelopedForTest(o: TestSignOptions): string {
  const digestMethod = o.digestMethod ?? 'http://www.w3.org/2001/04/xmlenc#sha256';
  const c14nMethod = o.canonicalizationMethod ?? C14N.exclusive;
  const uri = o.referenceUri ?? '';
  const p = o.prefix ?? 'ds';
  const q = (n: string): string => (p === '' ? n : `${p}:${n}`);
  const nsDecl = p === '' ? `xmlns="${DSIG_NS}"` : `xmlns:${p}="${DSIG_NS}"`;
  const hash = DIGEST_METHODS[digestMethod];
  const alg = SIGNATURE_METHODS.get(o.signatureMethod);
  if (hash === undefined || alg === undefined) throw new Error('unknown algorithm');

  const parsed = parseXmlTree(Buffer.from(o.xml, 'utf8'));
  if (!parsed.ok) throw new Error(parsed.error.message);
  const method = c14nMethod.startsWith(C14N.exclusive) ? 'exc-c14n' : 'c14n';
  const nodeOptions = { method, withComments: false } as const;
  const content = uri === '' ? canonicalizeDocument(parsed.value, nodeOptions) : canonicalizeSubtree(parsed.value.root, nodeOptions);
  if (uri !== '' && attributeValue(parsed.value.root, 'Id') !== uri.slice(1)) throw new Error('the reference must name the root Id');
  const digest = createHash(hash).update(content, 'utf8').digest('base64');

  const signedInfo =
    `<${q('SignedInfo')}>` +
    `<${q('CanonicalizationMethod')} Algorithm="${c14nMethod}"/>` +
    `<${q('SignatureMethod')} Algorithm="${o.signatureMethod}"/>` +
    `<${q('Reference')} URI="${uri}"><${q('Transforms')}>` +
    `<${q('Transform')} Algorithm="${ENVELOPED_SIGNATURE}"/><${q('Transform')} Algorithm="${c14nMethod}"/>` +
    `</${q('Transforms')}><${q('DigestMethod')} Algorithm="${digestMethod}"/><${q('DigestValue')}>${digest}</${q('DigestValue')}></${q('Reference')}>` +
    `</${q('SignedInfo')}>`;
  const placeholder = `<${q('Signature')} ${nsDecl}>${signedInfo}<${q('SignatureValue')}></${q('SignatureValue')}><${q('KeyInfo')}><${q('X509Data')}><${q('X509Certificate')}>${Buffer.from(o.certificateDer).toString('base64')}</${q('X509Certificate')}></${q('X509Data')}></${q('KeyInfo')}></${q('Signature')}>`;
  const close = o.xml.lastIndexOf('</');
  if (close < 0) throw new Error('the document element must have an end tag');
  const withSig = o.xml.slice(0, close) + placeholder + o.xml.slice(close);

  // SignedInfo is canonicalised in its final place, so the namespaces in scope there count.
  const reparsed = parseXmlTree(Buffer.from(withSig, 'utf8'));
  if (!reparsed.ok) throw new Error(reparsed.error.message);
  const sig = childElements(reparsed.value.root).find((e) => e.namespaceURI === DSIG_NS && e.localName === 'Signature');
  const si = sig === undefined ? undefined : childElements(sig)[0];
  if (si === undefined) throw new Error('signature not found after insertion');
  const siC14n = canonicalizeSubtree(si, { method, withComments: c14nMethod.endsWith('#WithComments') });
  const value = cryptoSign(alg.hash, Buffer.from(siC14n, 'utf8'), { key: o.privateKey, ...keyOptions(alg) }).toString('base64');
  return withSig.replace(`<${q('SignatureValue')}></${q('SignatureValue')}>`, `<${q('SignatureValue')}>${value}</${q('SignatureValue')}>`);
}
