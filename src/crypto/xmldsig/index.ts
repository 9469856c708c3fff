/**
 * XML-DSig (W3C XML Signature 1.1) verification of enveloped signatures over whole documents, as
 * ETSI TS 119 612 trusted lists carry them, with the strict XML parser and the C14N 1.0 /
 * Exclusive C14N 1.0 canonicalisers it needs. Pure: no I/O, no network, no clock.
 */
export { C14N, DSIG_NS, ENVELOPED_SIGNATURE } from './algorithms.ts';
export { canonicalizeDocument, canonicalizeSubtree, type C14nMethod, type C14nOptions } from './c14n.ts';
export {
  verifyEnvelopedSignature,
  verifyEnvelopedSignatureOf,
  XMLDSIG_ERROR_CODES,
  type VerifiedEnvelopedSignature,
  type VerifiedReference,
  type VerifyEnvelopedOptions,
  type XmldsigError,
  type XmldsigErrorCode,
  type XmldsigResult,
} from './verify-enveloped.ts';
export {
  attributeValue,
  childElements,
  childrenNamed,
  DEFAULT_XML_TREE_LIMITS,
  descendantsAndSelf,
  directText,
  parseXmlTree,
  XML_NAMESPACE,
  type XmlAttribute,
  type XmlDocument,
  type XmlElement,
  type XmlNode,
  type XmlTreeError,
  type XmlTreeErrorCode,
  type XmlTreeLimits,
  type XmlTreeResult,
} from './xml-tree.ts';
