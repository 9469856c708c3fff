import { integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/** The files of a message as its envelope lists them; `blob` is the SHA-256 (hex) of the bytes. */
export const messageFiles = sqliteTable(
  'message_files',
  {
    messageId: text('message_id').notNull(),
    fileId: text('file_id').notNull(),
    role: text('role').notNull(),
    name: text('name').notNull(),
    mediaType: text('media_type').notNull(),
    size: integer('size').notNull(),
    digestAlgorithm: text('digest_algorithm').notNull(),
    digest: text('digest').notNull(),
  },
  (t) => [primaryKey({ columns: [t.messageId, t.fileId] })],
);
