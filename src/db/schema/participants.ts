import { index, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/** Organisations in the directory (SPEC §2): the 734 government addressees and the enterprises. */
export const participants = sqliteTable(
  'participants',
  {
    id: text('id').primaryKey(),
    kind: text('kind', { enum: ['government', 'enterprise'] }).notNull(),
    category: text('category').notNull(),
    name: text('name').notNull(),
    shortName: text('short_name').notNull(),
    inn: text('inn').notNull(),
    ogrn: text('ogrn').notNull(),
    kpp: text('kpp'),
    parentId: text('parent_id'),
    region: text('region'),
    address: text('address'),
    email: text('email'),
    phone: text('phone'),
    deliveryMode: text('delivery_mode', { enum: ['pull', 'push'] }).notNull(),
    pushEndpoint: text('push_endpoint'),
    state: text('state', { enum: ['active', 'suspended'] }).notNull(),
    /** JSON {surname, givenName, position, snils} of the official who signs by default. */
    signatoryJson: text('signatory_json'),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
  },
  (t) => [index('participants_inn').on(t.inn), index('participants_ogrn').on(t.ogrn), index('participants_parent').on(t.parentId)],
);
