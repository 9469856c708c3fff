import { index, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * Web console sessions (issue 6): a random id in an HttpOnly cookie, stored here as its SHA-256
 * with the API token it was opened with (revoking the token ends the session), the per-session
 * CSRF synchronizer token, the interface language and time zone, and an absolute expiry.
 */
export const consoleSessions = sqliteTable(
  'console_sessions',
  {
    idHash: text('id_hash').primaryKey(),
    tokenId: text('token_id').notNull(),
    participantId: text('participant_id').notNull(),
    csrfToken: text('csrf_token').notNull(),
    lang: text('lang', { enum: ['ru', 'en'] }).notNull(),
    timeZone: text('time_zone').notNull(),
    createdAt: text('created_at').notNull(),
    expiresAt: text('expires_at').notNull(),
  },
  (t) => [index('console_sessions_expiry').on(t.expiresAt)],
);
