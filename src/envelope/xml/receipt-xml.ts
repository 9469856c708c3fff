import { buildDocument, parseDocument, type DocumentShape } from './document.ts';
import { DIGEST_SPEC, PARTY_SPEC } from './envelope-xml.ts';
import type { ElementSpec } from './mapping.ts';
import { RECEIPT_NAMESPACE, type Receipt } from './model.ts';
import type { XmlParseOptions, XmlResult } from './safe-xml.ts';
import { receiptSchema } from './schemas.ts';

const RECEIPT_SPEC: ElementSpec = {
  attributes: [
    { xml: 'version', key: 'version' },
    { xml: 'kind', key: 'kind' },
  ],
  children: [
    { xml: 'ReceiptId', key: 'receiptId', field: { type: 'text' } },
    { xml: 'MessageId', key: 'messageId', field: { type: 'text' } },
    { xml: 'EnvelopeDigest', key: 'envelopeDigest', field: { type: 'element', element: DIGEST_SPEC } },
    { xml: 'Issuer', key: 'issuer', field: { type: 'element', element: PARTY_SPEC } },
    { xml: 'IssuedAt', key: 'issuedAt', field: { type: 'text' } },
    {
      xml: 'Registration',
      key: 'registration',
      field: {
        type: 'element',
        element: {
          children: [
            { xml: 'Number', key: 'number', field: { type: 'text' } },
            { xml: 'Date', key: 'date', field: { type: 'text' } },
          ],
        },
      },
    },
    {
      xml: 'Reason',
      key: 'reason',
      field: { type: 'element', element: { attributes: [{ xml: 'code', key: 'code' }], text: 'text' } },
    },
  ],
};

const RECEIPT_SHAPE: DocumentShape<Receipt> = {
  root: 'Receipt',
  namespace: RECEIPT_NAMESPACE,
  spec: RECEIPT_SPEC,
  schema: receiptSchema,
  label: 'receipt',
};

/**
 * Writes receipt.xml (SPEC §2) as UTF-8 bytes with an XML declaration; the result validates
 * against `schemas/receipt.xsd`.
 *
 * @throws TypeError when `receipt` breaks the model rules (a programming error).
 */
export function buildReceiptXml(receipt: Receipt): Buffer {
  return buildDocument(RECEIPT_SHAPE, receipt);
}

/**
 * Parses untrusted receipt.xml bytes into a validated model, with the same hostile-input
 * defences as `parseEnvelopeXml`. Never throws.
 */
export function parseReceiptXml(bytes: Buffer | Uint8Array, options?: XmlParseOptions): XmlResult<Receipt> {
  return parseDocument(RECEIPT_SHAPE, bytes, options);
}
