import { blob, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/** CA certificates the gateway trusts; `qualified` marks accredited CAs (SPEC §4 qualification). */
export const trustAnchors = sqliteTable('trust_anchors', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  fingerprint: text('fingerprint').notNull().unique(),
  der: blob('der', { mode: 'buffer' }).notNull(),
  subject: text('subject').notNull(),
  label: text('label').notNull(),
  qualified: integer('qualified', { mode: 'boolean' }).notNull(),
  createdAt: text('created_at').notNull(),
});
