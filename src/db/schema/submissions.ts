import { sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

/**
 * One POST of a letter to N recipients. `(senderId, idempotencyKey)` is unique: a retried
 * request with the same key and body gets the stored response; another body is refused.
 */
export const submissions = sqliteTable(
  'submissions',
  {
    id: text('id').primaryKey(),
    senderId: text('sender_id').notNull(),
    idempotencyKey: text('idempotency_key'),
    requestHash: text('request_hash').notNull(),
    responseJson: text('response_json').notNull(),
    createdAt: text('created_at').notNull(),
  },
  (t) => [uniqueIndex('submissions_idempotency').on(t.senderId, t.idempotencyKey)],
);
