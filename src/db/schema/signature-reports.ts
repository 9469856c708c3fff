import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/** Validation reports (SPEC §4) of every signature of a message or a receipt: the legal evidence. */
export const signatureReports = sqliteTable(
  'signature_reports',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    messageId: text('message_id').notNull(),
    receiptId: text('receipt_id'),
    path: text('path').notNull(),
    role: text('role').notNull(),
    fileId: text('file_id'),
    indication: text('indication').notNull(),
    subIndication: text('sub_indication'),
    signer: text('signer'),
    reportJson: text('report_json').notNull(),
    createdAt: text('created_at').notNull(),
  },
  (t) => [index('signature_reports_message').on(t.messageId)],
);
