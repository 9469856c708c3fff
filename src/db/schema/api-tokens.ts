import { index, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * Bearer tokens `edx_<id>_<secret>`: only the SHA-256 of the secret is stored (the secret has
 * 256 bits of entropy, so a slow hash adds nothing). Bound to one participant and to roles.
 */
export const apiTokens = sqliteTable(
  'api_tokens',
  {
    id: text('id').primaryKey(),
    participantId: text('participant_id').notNull(),
    name: text('name').notNull(),
    /** JSON array of 'send' | 'receive' | 'admin'. */
    rolesJson: text('roles_json').notNull(),
    secretHash: text('secret_hash').notNull(),
    createdAt: text('created_at').notNull(),
    revokedAt: text('revoked_at'),
  },
  (t) => [index('api_tokens_participant').on(t.participantId)],
);
