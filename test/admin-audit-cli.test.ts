/** `edx audit verify`: OK on an intact journal, exit 1 naming a tampered row, exit 2 for a missing or foreign database. */
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendEvent, migrate, openDatabase } from '../src/db/index.ts';
import { edx } from './helpers/cli.ts';

const NOW = new Date('2026-11-25T09:00:00Z');
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'edx-audit-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function journalDir(name: string, rows: number): Promise<string> {
  const dataDir = join(dir, name);
  await mkdir(dataDir);
  const h = openDatabase(join(dataDir, 'edx.sqlite'));
  migrate(h.sqlite, NOW);
  for (let i = 0; i < rows; i++) appendEvent(h.db, { at: NOW.toISOString(), type: 'test', actor: 'tester', messageId: null, fromState: null, toState: null, detail: { i } });
  h.close();
  return dataDir;
}

describe('edx audit verify', () => {
  it('prints OK with the row count and last hash, and writes nothing', async () => {
    const dataDir = await journalDir('ok', 5);
    const r = await edx(['audit', 'verify', '--data-dir', dataDir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^journal OK: 5 rows, last hash [0-9a-f]{64}\n$/u);
  });
  it('fails with exit 1 naming the first tampered row (trigger dropped, detail_json edited)', async () => {
    const dataDir = await journalDir('tampered', 6);
    const h = openDatabase(join(dataDir, 'edx.sqlite'));
    h.sqlite.exec('DROP TRIGGER events_no_update');
    h.sqlite.prepare(`UPDATE events SET detail_json = '{"i":99}' WHERE seq = 4`).run();
    h.close();
    const r = await edx(['audit', 'verify', '--data-dir', dataDir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('journal BROKEN at row 4: row content does not match its hash\n');
    // The same through the real executable, as an operator would run it.
    const bin = spawnSync(process.execPath, ['bin/edx.js', 'audit', 'verify', '--data-dir', dataDir], { encoding: 'utf8' });
    expect(bin.status).toBe(1);
    expect(bin.stdout).toContain('journal BROKEN at row 4');
  });
  it('exits 2 when the database is missing or not a database, or the arguments are wrong', async () => {
    const missing = await edx(['audit', 'verify', '--data-dir', join(dir, 'nowhere')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('does not exist');
    const junkDir = join(dir, 'junk');
    await mkdir(junkDir);
    await writeFile(join(junkDir, 'edx.sqlite'), 'this is not sqlite at all, just text padded out'.repeat(100));
    const junk = await edx(['audit', 'verify', '--data-dir', junkDir]);
    expect(junk.code).toBe(2);
    expect(junk.stderr).toContain('DATABASE_UNREADABLE');
    expect((await edx(['audit', 'verify', '--colour', 'red'])).code).toBe(2);
    expect((await edx(['audit', 'verify', '--help'])).stdout).toContain('edx audit verify');
  });
});
