import { index, sqliteTable, text } from 'drizzle-orm/sqlite-core';

export const RECEIPT_ISSUERS = ['gateway', 'recipient'] as const;

/**
 * Receipts about a message: the gateway's evidence (accepted, delivered, not-delivered, rejected)
 * and the recipient's business receipts (registered, refused). `receiptDigest` (SHA-256 of the
 * receipt.xml bytes) is unique, which refuses replays.
 */
export const receipts = sqliteTable(
  'receipts',
  {
    id: text('id').primaryKey(),
    messageId: text('message_id').notNull(),
    kind: text('kind').notNull(),
    issuedBy: text('issued_by', { enum: RECEIPT_ISSUERS }).notNull(),
    issuerId: text('issuer_id').notNull(),
    issuedAt: text('issued_at').notNull(),
    receivedAt: text('received_at').notNull(),
    containerBlob: text('container_blob').notNull(),
    receiptDigest: text('receipt_digest').notNull().unique(),
    registrationNumber: text('registration_number'),
    registrationDate: text('registration_date'),
    reasonCode: text('reason_code'),
    reasonText: text('reason_text'),
  },
  (t) => [index('receipts_message').on(t.messageId)],
);
