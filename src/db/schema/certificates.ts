import { blob, index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * Certificates registered for a participant. A signature counts as the participant's when its
 * signer certificate is registered here (SPEC §4). `hostedKeyPath` names the PKCS#8 key the
 * gateway signs with on the participant's behalf (development PKI / hosted signing), if any.
 */
export const certificates = sqliteTable(
  'certificates',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    participantId: text('participant_id').notNull(),
    fingerprint: text('fingerprint').notNull().unique(),
    der: blob('der', { mode: 'buffer' }).notNull(),
    subject: text('subject').notNull(),
    issuer: text('issuer').notNull(),
    serialNumber: text('serial_number').notNull(),
    notBefore: text('not_before').notNull(),
    notAfter: text('not_after').notNull(),
    state: text('state', { enum: ['active', 'revoked'] }).notNull(),
    hostedKeyPath: text('hosted_key_path'),
    createdAt: text('created_at').notNull(),
    revokedAt: text('revoked_at'),
  },
  (t) => [index('certificates_participant').on(t.participantId)],
);
