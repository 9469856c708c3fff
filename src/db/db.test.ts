import { getTableConfig, SQLiteTable } from 'drizzle-orm/sqlite-core';
import { describe, expect, it } from 'vitest';
import { openDatabase } from './client.ts';
import { appendEvent, verifyJournal } from './journal.ts';
import { migrate } from './migrate.ts';
import * as schema from './schema/index.ts';

const NOW = new Date('2026-11-25T09:00:00Z');
const tables: SQLiteTable[] = Object.values(schema as Record<string, unknown>).filter((v): v is SQLiteTable => v instanceof SQLiteTable);

function fresh() {
  const handle = openDatabase(':memory:');
  migrate(handle.sqlite, NOW);
  return handle;
}

describe('migrations', () => {
  it('create exactly the tables and columns the drizzle schema declares', () => {
    const { sqlite, close } = fresh();
    expect(tables.length).toBe(12);
    for (const table of tables) {
      const config = getTableConfig(table);
      const actual = sqlite.prepare(`PRAGMA table_info(${config.name})`).all() as { name: string; notnull: number; pk: number }[];
      expect(actual.length, config.name).toBeGreaterThan(0);
      const declared = config.columns.map((c) => ({ name: c.name, notnull: c.notNull || c.primary ? 1 : 0 })).sort((a, b) => a.name.localeCompare(b.name));
      const got = actual.map((c) => ({ name: c.name, notnull: c.notnull === 1 || c.pk > 0 ? 1 : 0 })).sort((a, b) => a.name.localeCompare(b.name));
      expect(got, config.name).toEqual(declared);
    }
    close();
  });

  it('are applied once and refuse a changed history', () => {
    const { sqlite, close } = fresh();
    expect(migrate(sqlite, NOW).every((m) => !m.appliedNow)).toBe(true);
    sqlite.prepare("UPDATE schema_migrations SET sha256 = 'x'").run();
    expect(() => migrate(sqlite, NOW)).toThrow(/changed after it was applied/u);
    close();
  });
});

describe('the journal', () => {
  it('chains rows, refuses UPDATE and DELETE, and names a tampered row', () => {
    const { db, sqlite, close } = fresh();
    for (let i = 0; i < 5; i++) {
      appendEvent(db, { at: NOW.toISOString(), type: 'test', actor: 'tester', messageId: `m${i}`, fromState: null, toState: 'queued', detail: { i } });
    }
    expect(verifyJournal(db)).toMatchObject({ ok: true, rows: 5 });
    expect(() => sqlite.prepare("UPDATE events SET type = 'x' WHERE seq = 3").run()).toThrow(/append-only/u);
    expect(() => sqlite.prepare('DELETE FROM events WHERE seq = 3').run()).toThrow(/append-only/u);
    // An attacker with file access can drop the trigger; the chain still shows the edit.
    sqlite.exec('DROP TRIGGER events_no_update');
    sqlite.prepare(`UPDATE events SET detail_json = '{"i":99}' WHERE seq = 3`).run();
    expect(verifyJournal(db)).toEqual({ ok: false, seq: 3, reason: 'row content does not match its hash' });
    close();
  });
});
