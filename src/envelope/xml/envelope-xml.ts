import { buildDocument, parseDocument, type DocumentShape } from './document.ts';
import type { ElementSpec } from './mapping.ts';
import { ENVELOPE_NAMESPACE, type Envelope } from './model.ts';
import type { XmlParseOptions, XmlResult } from './safe-xml.ts';
import { envelopeSchema } from './schemas.ts';

export const PARTY_SPEC: ElementSpec = {
  children: [
    { xml: 'Id', key: 'id', field: { type: 'text' } },
    { xml: 'Name', key: 'name', field: { type: 'text' } },
    { xml: 'INN', key: 'inn', field: { type: 'text' } },
    { xml: 'OGRN', key: 'ogrn', field: { type: 'text' } },
  ],
};

export const DIGEST_SPEC: ElementSpec = { attributes: [{ xml: 'algorithm', key: 'algorithm' }], text: 'value' };

const FILE_SPEC: ElementSpec = {
  attributes: [
    { xml: 'id', key: 'id' },
    { xml: 'role', key: 'role' },
  ],
  children: [
    { xml: 'Name', key: 'name', field: { type: 'text' } },
    { xml: 'MediaType', key: 'mediaType', field: { type: 'text' } },
    { xml: 'Size', key: 'size', field: { type: 'integer' } },
    { xml: 'Digest', key: 'digest', field: { type: 'element', element: DIGEST_SPEC } },
    { xml: 'Path', key: 'path', field: { type: 'text' } },
    { xml: 'Signature', key: 'signaturePaths', field: { type: 'text' }, repeated: true },
  ],
};

const DOCUMENT_SPEC: ElementSpec = {
  attributes: [{ xml: 'kind', key: 'kind' }],
  children: [
    { xml: 'RegNumber', key: 'regNumber', field: { type: 'text' } },
    { xml: 'RegDate', key: 'regDate', field: { type: 'text' } },
    { xml: 'Subject', key: 'subject', field: { type: 'text' } },
    {
      xml: 'Signatory',
      key: 'signatory',
      field: {
        type: 'element',
        element: {
          children: [
            { xml: 'Name', key: 'name', field: { type: 'text' } },
            { xml: 'Position', key: 'position', field: { type: 'text' } },
          ],
        },
      },
    },
    { xml: 'InReplyTo', key: 'inReplyTo', field: { type: 'text' } },
    { xml: 'ResponseDue', key: 'responseDue', field: { type: 'text' } },
  ],
};

const ENVELOPE_SPEC: ElementSpec = {
  attributes: [{ xml: 'version', key: 'version' }],
  children: [
    { xml: 'MessageId', key: 'messageId', field: { type: 'text' } },
    { xml: 'CreatedAt', key: 'createdAt', field: { type: 'text' } },
    { xml: 'Sender', key: 'sender', field: { type: 'element', element: PARTY_SPEC } },
    { xml: 'Recipient', key: 'recipient', field: { type: 'element', element: PARTY_SPEC } },
    { xml: 'Document', key: 'document', field: { type: 'element', element: DOCUMENT_SPEC } },
    { xml: 'Files', key: 'files', field: { type: 'list', item: 'File', element: FILE_SPEC } },
  ],
};

const ENVELOPE_SHAPE: DocumentShape<Envelope> = {
  root: 'Envelope',
  namespace: ENVELOPE_NAMESPACE,
  spec: ENVELOPE_SPEC,
  schema: envelopeSchema,
  label: 'envelope',
};

/**
 * Writes envelope.xml (SPEC §2–3) as UTF-8 bytes with an XML declaration; the result validates
 * against `schemas/envelope.xsd`. These exact bytes are what the transport signature covers.
 *
 * @throws TypeError when `envelope` breaks the model rules (a programming error).
 */
export function buildEnvelopeXml(envelope: Envelope): Buffer {
  return buildDocument(ENVELOPE_SHAPE, envelope);
}

/**
 * Parses untrusted envelope.xml bytes (XML 1.0, Namespaces in XML 1.0) into a validated model.
 * DTDs, entity declarations, non-UTF-8 input, oversized or over-deep documents are refused before
 * parsing. Never throws: failures carry a stable `XmlErrorCode`.
 */
export function parseEnvelopeXml(bytes: Buffer | Uint8Array, options?: XmlParseOptions): XmlResult<Envelope> {
  return parseDocument(ENVELOPE_SHAPE, bytes, options);
}
