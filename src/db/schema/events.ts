import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * The append-only, hash-chained journal (SPEC §5): every state change and every administrative
 * act, one row each, written in the same transaction as the change. `hash` = SHA-256 over the
 * previous row's hash and this row's canonical content; triggers forbid UPDATE and DELETE.
 */
export const events = sqliteTable(
  'events',
  {
    seq: integer('seq').primaryKey({ autoIncrement: true }),
    at: text('at').notNull(),
    type: text('type').notNull(),
    actor: text('actor').notNull(),
    messageId: text('message_id'),
    fromState: text('from_state'),
    toState: text('to_state'),
    detailJson: text('detail_json').notNull(),
    prevHash: text('prev_hash').notNull(),
    hash: text('hash').notNull(),
  },
  (t) => [index('events_message').on(t.messageId, t.seq), index('events_type').on(t.type, t.seq)],
);
