import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type Database from 'better-sqlite3';

export const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'migrations');

export interface AppliedMigration {
  id: string;
  appliedNow: boolean;
}

/**
 * Applies the committed SQL migrations (`NNNN_name.sql`, in order), each in its own transaction,
 * recording id and SHA-256 in `schema_migrations`. An applied migration whose file has changed
 * since is an error: migrations are append-only history.
 */
export function migrate(sqlite: Database.Database, now: Date, dir: string = MIGRATIONS_DIR): AppliedMigration[] {
  sqlite.exec('CREATE TABLE IF NOT EXISTS schema_migrations (id TEXT PRIMARY KEY NOT NULL, sha256 TEXT NOT NULL, applied_at TEXT NOT NULL)');
  const applied = new Map(
    (sqlite.prepare('SELECT id, sha256 FROM schema_migrations').all() as { id: string; sha256: string }[]).map((r) => [r.id, r.sha256]),
  );
  const files = readdirSync(dir)
    .filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/u.test(f))
    .sort();
  const result: AppliedMigration[] = [];
  for (const file of files) {
    const sql = readFileSync(join(dir, file), 'utf8');
    const sha256 = createHash('sha256').update(sql).digest('hex');
    const known = applied.get(file);
    if (known !== undefined) {
      if (known !== sha256) throw new Error(`migration ${file} was changed after it was applied`);
      result.push({ id: file, appliedNow: false });
      continue;
    }
    sqlite.transaction(() => {
      sqlite.exec(sql);
      sqlite.prepare('INSERT INTO schema_migrations (id, sha256, applied_at) VALUES (?, ?, ?)').run(file, sha256, now.toISOString());
    })();
    result.push({ id: file, appliedNow: true });
  }
  return result;
}
