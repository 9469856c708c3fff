import { digestBytes, signDetached, signingDigestFor, type SigningKey } from '../crypto/index.ts';
import {
  createContainerWriter,
  buildReceiptXml,
  openContainer,
  parseEnvelopeXml,
  type Party,
  type Receipt,
} from '../envelope/index.ts';
import { ENVELOPE_ENTRY, MAX_XML_BYTES, RECEIPT_ENTRY, RECEIPT_SIGNATURE_ENTRY } from './container-layout.ts';
import type { LetterResult, SigningIdentity } from './types.ts';

export interface WriteReceiptContainerInput {
  receipt: Receipt;
  signer: SigningIdentity<SigningKey>;
  outputPath: string;
  now: Date;
  /** `false` for scratch output a durable store adopts afterwards. */
  durable?: boolean;
}

/** Writes `receipt.xml` and its detached CAdES-BES signature `receipt.xml.p7s` as a container. */
export async function writeReceiptContainer(input: WriteReceiptContainerInput): Promise<{ receiptXml: Buffer }> {
  const receiptXml = buildReceiptXml(input.receipt);
  // SHA-256 unless the key signs only Streebog (GOST).
  const digestAlgorithm = signingDigestFor(input.signer.privateKey, 'sha-256');
  const signature = signDetached({
    contentDigest: digestBytes(digestAlgorithm, receiptXml),
    digestAlgorithm,
    privateKey: input.signer.privateKey,
    certificate: input.signer.certificate,
    extraCertificates: input.signer.chain,
    signingTime: input.now,
    ...(input.signer.rsaScheme === undefined ? {} : { rsaScheme: input.signer.rsaScheme }),
  });
  const writer = createContainerWriter({ outputPath: input.outputPath, durable: input.durable !== false });
  try {
    writer.addBuffer(RECEIPT_ENTRY, receiptXml, { compress: true });
    writer.addBuffer(RECEIPT_SIGNATURE_ENTRY, signature, { compress: false });
    await writer.close();
  } catch (error) {
    await writer.abort().catch(() => undefined);
    throw error;
  }
  return { receiptXml };
}

export type BusinessReceiptDecision =
  | { kind: 'registered'; registration: { number: string; date: string } }
  | { kind: 'refused'; reason: { code: string; text: string } };

export interface CreateReceiptInput {
  /** The letter container the receipt answers. */
  letterContainerPath: string;
  decision: BusinessReceiptDecision;
  signer: SigningIdentity<SigningKey>;
  receiptId: string;
  now: Date;
  outputPath: string;
  /** Defaults to the letter's recipient: registered/refused receipts come from the addressee. */
  issuer?: Party;
}

/**
 * Makes the recipient's signed business receipt (`registered` or `refused`) for a letter
 * container: it names the message id and the SHA-256 of the exact envelope.xml it is about.
 */
export async function createReceipt(input: CreateReceiptInput): Promise<LetterResult<{ receipt: Receipt }>> {
  const opened = await openContainer({ path: input.letterContainerPath });
  if (!opened.ok) {
    return { ok: false, error: { code: 'CONTAINER_UNREADABLE', message: `${opened.error.code}: ${opened.error.message}` } };
  }
  const reader = opened.value;
  let envelopeXml: Buffer;
  try {
    const xml = await reader.readEntry(ENVELOPE_ENTRY, MAX_XML_BYTES);
    if (!xml.ok) return { ok: false, error: { code: 'ENVELOPE_INVALID', message: `${xml.error.code}: ${xml.error.message}` } };
    envelopeXml = xml.value;
  } finally {
    await reader.close();
  }
  const parsed = parseEnvelopeXml(envelopeXml);
  if (!parsed.ok) return { ok: false, error: { code: 'ENVELOPE_INVALID', message: `${parsed.error.code}: ${parsed.error.message}` } };

  const receipt: Receipt = {
    version: '1',
    receiptId: input.receiptId,
    kind: input.decision.kind,
    messageId: parsed.value.messageId,
    envelopeDigest: { algorithm: 'sha-256', value: digestBytes('sha-256', envelopeXml).toString('base64') },
    issuer: input.issuer ?? parsed.value.recipient,
    issuedAt: input.now.toISOString(),
    ...(input.decision.kind === 'registered' ? { registration: input.decision.registration } : { reason: input.decision.reason }),
  };
  await writeReceiptContainer({ receipt, signer: input.signer, outputPath: input.outputPath, now: input.now });
  return { ok: true, value: { receipt } };
}
