export {
  DOCUMENT_KINDS,
  ENVELOPE_NAMESPACE,
  FILE_ROLES,
  RECEIPT_KINDS,
  RECEIPT_NAMESPACE,
  type Digest,
  type DocumentKind,
  type Envelope,
  type EnvelopeDocument,
  type EnvelopeFile,
  type FileRole,
  type Party,
  type Receipt,
  type ReceiptKind,
} from './model.ts';
export { envelopeSchema, envelopeDocumentSchema, receiptSchema, partySchema, digestSchema, describeFirstIssue, LIMITS } from './schemas.ts';
export { buildEnvelopeXml, parseEnvelopeXml } from './envelope-xml.ts';
export { buildReceiptXml, parseReceiptXml } from './receipt-xml.ts';
export {
  DEFAULT_MAX_XML_BYTES,
  DEFAULT_MAX_XML_DEPTH,
  type XmlError,
  type XmlErrorCode,
  type XmlParseOptions,
  type XmlResult,
} from './safe-xml.ts';
