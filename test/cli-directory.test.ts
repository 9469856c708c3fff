/**
 * `edx directory export|import` through the real executable, with Python's csv module as an
 * independent reader and writer of the exchange file and xmllint for the XML: a round trip that
 * changes one row, a dry run that writes nothing, a bad row that refuses the whole file (exit 1,
 * the export unchanged, the journal chain intact), and usage / unreadable-input errors (exit 2).
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { edx } from './helpers/cli.ts';
import { smallDirectory } from './helpers/gateway.ts';

const ROOT = resolve(import.meta.dirname, '..');
let dir: string;
let dataDir: string;

function edxBin(args: readonly string[]): { code: number | null; stdout: string; stderr: string } {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('EDX_')));
  const r = spawnSync(process.execPath, ['bin/edx.js', ...args], { cwd: ROOT, encoding: 'utf8', env });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Rewrites a directory CSV with Python's csv module (RFC 4180 quoting, CRLF, no BOM):
 * `edit` changes demo-supplier's short name, e-mail and address (a comma and a quote in it);
 * `bad` also gives gov-minfin an INN with a wrong check digit.
 */
const PY_EDIT = String.raw`
import csv, sys
src, dst, mode = sys.argv[1], sys.argv[2], sys.argv[3]
with open(src, encoding='utf-8-sig', newline='') as f:
    rows = list(csv.DictReader(f))
    fields = list(rows[0].keys())
for r in rows:
    if r['id'] == 'demo-supplier':
        r['shortName'] = r['shortName'] + ' (изм.)'
        r['email'] = 'registry@demo-supplier.example'
        r['address'] = '614000, г. Пермь, ул. "Новая", д. 1'
    if mode == 'bad' and r['id'] == 'gov-minfin':
        inn = r['inn']
        r['inn'] = inn[:-1] + str((int(inn[-1]) + 1) % 10)
with open(dst, 'w', encoding='utf-8', newline='') as f:
    w = csv.DictWriter(f, fieldnames=fields)
    w.writeheader()
    w.writerows(rows)
`;

/** The rows of a directory CSV as Python's csv module reads them (the independent oracle). */
const PY_READ = String.raw`
import csv, json, sys
with open(sys.argv[1], encoding='utf-8-sig', newline='') as f:
    print(json.dumps(list(csv.DictReader(f)), ensure_ascii=False))
`;

function python(script: string, ...args: string[]): string {
  const r = spawnSync('python3', ['-c', script, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`python3: ${r.stderr}`);
  return r.stdout;
}

function csvRows(file: string): Record<string, string>[] {
  return JSON.parse(python(PY_READ, file)) as Record<string, string>[];
}

function journal(): { type: string; actor: string }[] {
  const db = new Database(join(dataDir, 'edx.sqlite'), { readonly: true });
  try {
    return db.prepare('SELECT type, actor FROM events ORDER BY seq').all() as { type: string; actor: string }[];
  } finally {
    db.close();
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'edx-cli-directory-'));
  dataDir = join(dir, 'data');
  const directoryFile = join(dir, 'directory.json');
  await writeFile(directoryFile, JSON.stringify(await smallDirectory()));
  const init = edxBin(['init', '--data-dir', dataDir, '--directory', directoryFile]);
  if (init.code !== 0) throw new Error(`edx init failed: ${init.stderr}`);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('edx directory export / import', () => {
  it('round-trips CSV: export, change a row with Python csv, dry run (nothing written), import, export again', async () => {
    const first = join(dir, 'first.csv');
    const exported = edxBin(['directory', 'export', '--data-dir', dataDir, '--output', first]);
    expect(exported.code).toBe(0);
    expect(exported.stdout).toBe('');
    const before = csvRows(first);
    expect(before.map((r) => r.id).sort()).toEqual(['demo-refinery', 'demo-supplier', 'gov-government', 'gov-mineconomy', 'gov-minfin', 'gov-minobr', 'gov-minprom']);
    // Without --output the same file goes to stdout.
    expect(edxBin(['directory', 'export', '--data-dir', dataDir]).stdout).toBe(await readFile(first, 'utf8'));

    const edited = join(dir, 'edited.csv');
    python(PY_EDIT, first, edited, 'edit');
    const eventsBefore = journal().length;

    const dry = edxBin(['directory', 'import', edited, '--data-dir', dataDir, '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toBe('dry run: 7 rows would import (0 created, 1 updated, 6 unchanged); nothing was written\n');
    expect(journal().length).toBe(eventsBefore);
    expect(edxBin(['directory', 'export', '--data-dir', dataDir]).stdout).toBe(await readFile(first, 'utf8'));

    const imported = edxBin(['directory', 'import', edited, '--data-dir', dataDir]);
    expect(imported.code).toBe(0);
    expect(imported.stdout).toBe('imported 7 rows: 0 created, 1 updated, 6 unchanged\n');
    // The admin domain's journal events, by actor 'cli'.
    expect(journal().slice(eventsBefore)).toEqual([
      { type: 'participant.updated', actor: 'cli' },
      { type: 'directory.imported', actor: 'cli' },
    ]);

    const second = join(dir, 'second.csv');
    expect(edxBin(['directory', 'export', '--data-dir', dataDir, '--output', second]).code).toBe(0);
    const after = csvRows(second);
    expect(after).toEqual(csvRows(edited));
    const changed = after.find((r) => r.id === 'demo-supplier');
    expect(changed?.address).toBe('614000, г. Пермь, ул. "Новая", д. 1');
    expect(after.filter((r) => r.id !== 'demo-supplier')).toEqual(before.filter((r) => r.id !== 'demo-supplier'));
    expect(edxBin(['audit', 'verify', '--data-dir', dataDir]).code).toBe(0);
  });

  it('refuses a file with a bad row: exit 1, the row reported, nothing changed, the journal chain intact', async () => {
    const current = join(dir, 'current.csv');
    expect(edxBin(['directory', 'export', '--data-dir', dataDir, '--output', current]).code).toBe(0);
    const bad = join(dir, 'bad.csv');
    python(PY_EDIT.replace("'registry@demo-supplier.example'", "'bad-import@demo-supplier.example'"), current, bad, 'bad');
    const badRow = csvRows(bad).findIndex((r) => r.id === 'gov-minfin') + 2; // header is row 1
    const eventsBefore = journal().length;

    const r = edxBin(['directory', 'import', bad, '--data-dir', dataDir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(new RegExp(`^row ${badRow}, inn: INN_CHECK_DIGIT INN \\d{10} has a wrong check digit\\n$`, 'u'));
    expect(r.stderr).toBe('edx directory import: IMPORT_INVALID: 1 error(s); nothing was imported\n');
    // The dry run says the same, with the same status.
    const dry = edxBin(['directory', 'import', bad, '--data-dir', dataDir, '--dry-run']);
    expect(dry.code).toBe(1);
    expect(dry.stdout).toBe(r.stdout);

    expect(edxBin(['directory', 'export', '--data-dir', dataDir]).stdout).toBe(await readFile(current, 'utf8'));
    expect(journal().length).toBe(eventsBefore);
    const audit = edxBin(['audit', 'verify', '--data-dir', dataDir]);
    expect(audit.code).toBe(0);
    expect(audit.stdout).toContain(`journal OK: ${eventsBefore} rows`);
  });

  it('exports XML that xmllint reads and that imports back unchanged', async () => {
    const xml = join(dir, 'directory.xml');
    expect(edxBin(['directory', 'export', '--data-dir', dataDir, '--output', xml]).code).toBe(0);
    const lint = spawnSync('xmllint', ['--xpath', "count(//*[local-name()='participant'])", xml], { encoding: 'utf8' });
    expect(lint.stdout.trim()).toBe('7');
    const r = edxBin(['directory', 'import', xml, '--data-dir', dataDir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('imported 7 rows: 0 created, 0 updated, 7 unchanged\n');
    // --format wins over the file name.
    const asCsv = edxBin(['directory', 'export', '--data-dir', dataDir, '--format', 'csv', '--output', join(dir, 'really-csv.xml')]);
    expect(asCsv.code).toBe(0);
    expect(await readFile(join(dir, 'really-csv.xml'), 'utf8')).toMatch(/^\uFEFFid,kind,/u);
  });

  it('exits 2 on bad usage and on input it cannot read, changing nothing (in-process: the same runCli)', async () => {
    const eventsBefore = journal().length;
    const noFile = await edx(['directory', 'import', '--data-dir', dataDir]);
    expect(noFile.code).toBe(2);
    expect(noFile.stderr).toBe('edx directory import: USAGE: give exactly one file to import\n');
    const unknownExt = join(dir, 'participants.txt');
    await writeFile(unknownExt, 'id\n');
    const ext = await edx(['directory', 'import', unknownExt, '--data-dir', dataDir]);
    expect(ext.code).toBe(2);
    expect(ext.stderr).toContain('pass --format csv or --format xml');
    const missing = await edx(['directory', 'import', join(dir, 'nowhere.csv'), '--data-dir', dataDir]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('FILE_UNREADABLE');
    const latin1 = join(dir, 'latin1.csv');
    await writeFile(latin1, Buffer.from([0x69, 0x64, 0x0a, 0xe9, 0xff, 0x0a]));
    const notUtf8 = await edx(['directory', 'import', latin1, '--data-dir', dataDir]);
    expect(notUtf8.code).toBe(2);
    expect(notUtf8.stderr).toContain('IMPORT_UNREADABLE: the file is not valid UTF-8');
    const hostile = join(dir, 'hostile.xml');
    await writeFile(hostile, '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaa">]><directory xmlns="urn:edx-gateway:directory:1">&a;</directory>');
    const dtd = await edx(['directory', 'import', hostile, '--data-dir', dataDir]);
    expect(dtd.code).toBe(2);
    expect(dtd.stderr).toContain('IMPORT_UNREADABLE');
    const noData = await edx(['directory', 'export', '--data-dir', join(dir, 'no-data')]);
    expect(noData.code).toBe(2);
    expect(noData.stderr).toContain('DATABASE_UNREADABLE');
    const badFormat = await edx(['directory', 'export', '--data-dir', dataDir, '--format', 'json']);
    expect(badFormat.code).toBe(2);
    expect(badFormat.stderr).toContain('USAGE: --format');
    expect(journal().length).toBe(eventsBefore);
  });
});
