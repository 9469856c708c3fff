import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import * as schema from './schema/index.ts';

export type Db = BetterSQLite3Database<typeof schema>;

export interface DatabaseHandle {
  db: Db;
  sqlite: Database.Database;
  close(): void;
}

/**
 * Opens the SQLite database with the settings the delivery guarantees rest on: WAL (readers do
 * not block the writer), `synchronous = FULL` (a commit that returned survives power loss, so an
 * acknowledged letter is never lost), foreign keys on, and a busy timeout for the CLI running
 * beside the server. Pass `':memory:'` for tests.
 */
export function openDatabase(path: string): DatabaseHandle {
  const sqlite = new Database(path);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const db = drizzle(sqlite, { schema });
  return { db, sqlite, close: () => sqlite.close() };
}
