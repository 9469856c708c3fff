import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

export const MESSAGE_STATES = ['accepted', 'queued', 'retrying', 'delivered', 'registered', 'refused', 'answered', 'failed'] as const;
export type MessageState = (typeof MESSAGE_STATES)[number];

/**
 * One letter to one recipient (SPEC §5). `seq` orders the inbox and is the cursor; `id` is the
 * envelope's MessageId. The container is a content-addressed blob.
 */
export const messages = sqliteTable(
  'messages',
  {
    seq: integer('seq').primaryKey({ autoIncrement: true }),
    id: text('id').notNull().unique(),
    submissionId: text('submission_id').notNull(),
    senderId: text('sender_id').notNull(),
    recipientId: text('recipient_id').notNull(),
    state: text('state', { enum: MESSAGE_STATES }).notNull(),
    kind: text('kind').notNull(),
    regNumber: text('reg_number').notNull(),
    regDate: text('reg_date').notNull(),
    subject: text('subject').notNull(),
    inReplyTo: text('in_reply_to'),
    responseDue: text('response_due'),
    envelopeDigest: text('envelope_digest').notNull(),
    containerBlob: text('container_blob').notNull(),
    containerSize: integer('container_size').notNull(),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
    deliveredAt: text('delivered_at'),
    expiresAt: text('expires_at').notNull(),
    nextAttemptAt: text('next_attempt_at'),
    attempts: integer('attempts').notNull(),
    answeredBy: text('answered_by'),
  },
  (t) => [
    index('messages_inbox').on(t.recipientId, t.seq),
    index('messages_sent').on(t.senderId, t.seq),
    index('messages_due').on(t.state, t.nextAttemptAt),
    index('messages_expiry').on(t.state, t.expiresAt),
    index('messages_reply').on(t.inReplyTo),
    index('messages_reg_number').on(t.regNumber),
    index('messages_state_seq').on(t.state, t.seq),
    index('messages_response_due').on(t.responseDue, t.state),
  ],
);
