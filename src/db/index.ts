/** The database: drizzle schema, client, migrations and the hash-chained journal. */
export { openDatabase, type Db, type DatabaseHandle } from './client.ts';
export { migrate, MIGRATIONS_DIR, type AppliedMigration } from './migrate.ts';
export { appendEvent, verifyJournal, GENESIS_HASH, type JournalEntry, type JournalVerification } from './journal.ts';
export * as tables from './schema/index.ts';
export { MESSAGE_STATES, type MessageState } from './schema/index.ts';
