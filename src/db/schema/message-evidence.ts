import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * Evidence bytes kept with a message (CAdES-LT / CAdES-T, ETSI EN 319 122-1 §5.3-5.4): the CRLs
 * and OCSP responses that decided revocation, and signature time-stamp tokens stored beside the
 * signature they cover (`path` names its container entry; `receiptId` a gateway receipt's).
 */
export const messageEvidence = sqliteTable(
  'message_evidence',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    messageId: text('message_id').notNull(),
    receiptId: text('receipt_id'),
    path: text('path').notNull(),
    kind: text('kind', { enum: ['crl', 'ocsp', 'signature-timestamp'] }).notNull(),
    blob: text('blob').notNull(),
    genTime: text('gen_time'),
    createdAt: text('created_at').notNull(),
  },
  (t) => [index('message_evidence_message').on(t.messageId), index('message_evidence_receipt').on(t.receiptId, t.kind)],
);
