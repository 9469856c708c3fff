/**
 * Admin API, directory import and export: CSV (RFC 4180, read back by python's csv module) and XML
 * (checked by xmllint), round trips, per-row error reports with nothing imported, hostile XML.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { count } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PARTICIPANT_COLUMNS } from '../src/admin/index.ts';
import { tables, verifyJournal } from '../src/db/index.ts';
import { auth, startTestGateway, type TestGateway } from './helpers/gateway.ts';
import { newParticipant } from './helpers/admin-pki.ts';

let gw: TestGateway;
let scratch: string;

beforeAll(async () => {
  gw = await startTestGateway();
  scratch = await mkdtemp(join(tmpdir(), 'edx-admin-io-'));
});
afterAll(async () => {
  await gw.dispose();
  await rm(scratch, { recursive: true, force: true });
});

async function exportAs(format: 'csv' | 'xml'): Promise<{ res: Response; text: string; bytes: Buffer }> {
  const res = await gw.app.request(`/api/v1/admin/participants/export?format=${format}`, { headers: auth(gw.adminToken) });
  const bytes = Buffer.from(await res.arrayBuffer());
  return { res, text: bytes.toString('utf8'), bytes };
}

async function importBody(body: string | Uint8Array, type: string): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await gw.app.request('/api/v1/admin/participants/import', { method: 'POST', headers: { ...auth(gw.adminToken), 'content-type': type }, body });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

function snapshot(): { participants: unknown[]; events: number } {
  return {
    participants: gw.ctx.db.select().from(tables.participants).all().sort((a, b) => a.id.localeCompare(b.id)),
    events: gw.ctx.db.select({ n: count() }).from(tables.events).get()?.n ?? 0,
  };
}

function csvOf(rows: Record<string, string>[]): string {
  const cell = (v: string): string => (/[",\r\n]/u.test(v) ? `"${v.replace(/"/gu, '""')}"` : v);
  return [PARTICIPANT_COLUMNS.join(','), ...rows.map((r) => PARTICIPANT_COLUMNS.map((c) => cell(r[c] ?? '')).join(','))].join('\r\n') + '\r\n';
}

function row(overrides: Record<string, string> = {}): Record<string, string> {
  const p = newParticipant() as { id: string; category: string; name: string; shortName: string; inn: string; ogrn: string; kpp: string; email: string; phone: string; signatory: { surname: string; givenName: string; position: string; snils: string } };
  return {
    id: p.id,
    category: p.category,
    name: p.name,
    shortName: p.shortName,
    inn: p.inn,
    ogrn: p.ogrn,
    kpp: p.kpp,
    region: '59',
    email: p.email,
    phone: p.phone,
    deliveryMode: 'pull',
    signatorySurname: p.signatory.surname,
    signatoryGivenName: p.signatory.givenName,
    signatoryPosition: p.signatory.position,
    signatorySnils: p.signatory.snils,
    ...overrides,
  };
}

describe('GET /admin/participants/export?format=csv', () => {
  it('is RFC 4180 CSV that python reads back, formula cells neutralised (OWASP)', async () => {
    // A hostile name an enterprise could have typed into its own record.
    await gw.app.request('/api/v1/admin/participants/demo-supplier', {
      method: 'PATCH',
      headers: { ...auth(gw.adminToken), 'content-type': 'application/json' },
      body: JSON.stringify({ shortName: '=HYPERLINK("http://evil.example","click")' }),
    });
    const { res, text, bytes } = await exportAs('csv');
    expect(res.status).toBe(200);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toContain('participants.csv');
    const file = join(scratch, 'export.csv');
    await writeFile(file, text);
    const py = spawnSync('python3', ['-c', 'import csv,json,sys; print(json.dumps(list(csv.DictReader(open(sys.argv[1], encoding="utf-8-sig", newline="")))))', file], { encoding: 'utf8' });
    expect(py.status, py.stderr).toBe(0);
    const rows = JSON.parse(py.stdout) as Record<string, string>[];
    expect(rows).toHaveLength(7);
    const supplier = rows.find((r) => r.id === 'demo-supplier');
    expect(supplier?.shortName).toBe(`'=HYPERLINK("http://evil.example","click")`);
    expect(supplier?.phone).toBe("'+7 342 220-03-97");
    expect(rows.find((r) => r.id === 'demo-refinery')).toMatchObject({ name: 'ООО «Демо-Нефтепереработка» (синтетические данные)', pushEndpoint: 'https://edms.demo-refinery.example/edx/inbox', deliveryMode: 'push' });
  });
});

describe('CSV export -> import round trip', () => {
  it('imports its own export unchanged (nothing created or updated, formulas restored)', async () => {
    const before = snapshot();
    const { text } = await exportAs('csv');
    const r = await importBody(text, 'text/csv');
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ rows: 7, created: 0, updated: 0, unchanged: 7 });
    const after = snapshot();
    expect(after.participants).toEqual(before.participants);
    expect(after.events).toBe(before.events + 1); // the directory.imported row only
  });
  it('an edited export updates the edited rows and creates the added ones, journaled', async () => {
    const { text } = await exportAs('csv');
    const edited = text.replace('Министерство финансов Пермского края', 'Министерство финансов Пермского края (переименовано)');
    const added = row({ parentId: 'gov-government', category: 'state-institution', name: 'ГКУ «Тестовое, с запятой и \u201Cкавычками\u201D»\nи переносом' });
    const withNew = `${edited}${csvOf([added]).split('\r\n').slice(1).join('\r\n')}`;
    const r = await importBody(withNew, 'text/csv; charset=utf-8');
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    expect(r.json).toEqual({ rows: 8, created: 1, updated: 1, unchanged: 6 });
    const view = await gw.app.request(`/api/v1/admin/participants/${added.id}`, { headers: auth(gw.adminToken) });
    expect(((await view.json()) as { name: string }).name).toBe(added.name);
    expect(verifyJournal(gw.ctx.db).ok).toBe(true);
  });
});

describe('POST /admin/participants/import (CSV) with bad rows', () => {
  it('reports every bad row with row, field and code, and imports nothing', async () => {
    const before = snapshot();
    const rows = [
      row(),
      row({ inn: '5908700001' }),
      row({ id: 'gov-minfin-dup', ogrn: '1035999000059' }),
      row({ deliveryMode: 'push', pushEndpoint: 'http://x.example' }),
      row({ parentId: 'no-such-parent' }),
      row({ id: 'BAD ID' }),
    ];
    rows.push(row({ id: rows[0]?.id ?? '' }));
    const r = await importBody(csvOf(rows), 'text/csv');
    expect(r.status).toBe(422);
    expect(r.json.code).toBe('IMPORT_INVALID');
    const report = (r.json.details as { row: number; field: string; code: string }[]).map((e) => `${e.row}:${e.field}:${e.code}`);
    expect(report).toEqual(['3:inn:INN_CHECK_DIGIT', '4:ogrn:OGRN_CHECK_DIGIT', '5:pushEndpoint:NOT_HTTPS', '6:parentId:PARENT_NOT_FOUND', '7:id:ID_FORMAT', '8:id:DUPLICATE_IN_FILE']);
    expect(snapshot()).toEqual(before);
  });
  it('names the record of malformed CSV (unterminated quote), a wrong field count, and a bad header', async () => {
    const before = snapshot();
    const good = csvOf([row()]);
    const unterminated = await importBody(`${good}"open,quote\r\n`, 'text/csv');
    expect(unterminated.status).toBe(422);
    expect(unterminated.json.details).toMatchObject([{ row: 3, code: 'CSV_MALFORMED' }]);
    const short = await importBody(`${good}a,b,c\r\n`, 'text/csv');
    expect(short.json.details).toContainEqual(expect.objectContaining({ row: 3, code: 'FIELD_COUNT' }));
    const header = await importBody('id,name,colour\r\nx,y,z\r\n', 'text/csv');
    expect((header.json.details as { code: string }[]).map((e) => e.code)).toContain('UNKNOWN_COLUMN');
    expect((header.json.details as { code: string }[]).map((e) => e.code)).toContain('MISSING_COLUMN');
    const notUtf8 = await importBody(Uint8Array.from([0x69, 0x64, 0xff, 0x0a]), 'text/csv');
    expect(notUtf8.status).toBe(400);
    expect(notUtf8.json.code).toBe('IMPORT_UNREADABLE');
    expect(snapshot()).toEqual(before);
  });
  it('refuses other media types and oversized bodies', async () => {
    expect((await importBody('{}', 'application/json')).status).toBe(415);
    const big = await gw.app.request('/api/v1/admin/participants/import', {
      method: 'POST',
      headers: { ...auth(gw.adminToken), 'content-type': 'text/csv', 'content-length': String(64 * 1024 * 1024) },
      body: 'x',
    });
    expect(big.status).toBe(413);
  });
});

describe('XML export and import', () => {
  it('exports namespaced XML that xmllint reads, and imports it back unchanged', async () => {
    const before = snapshot();
    const { res, text } = await exportAs('xml');
    expect(res.headers.get('content-type')).toBe('application/xml; charset=utf-8');
    const file = join(scratch, 'export.xml');
    await writeFile(file, text);
    const lint = spawnSync('xmllint', ['--noout', '--nonet', file], { encoding: 'utf8' });
    expect(lint.status, lint.stderr).toBe(0);
    const xpath = spawnSync('xmllint', ['--xpath', "count(/*[local-name()='directory' and namespace-uri()='urn:edx-gateway:directory:1']/*[local-name()='participant'])", file], { encoding: 'utf8' });
    expect(xpath.stdout.trim()).toBe(String(before.participants.length));
    const r = await importBody(text, 'application/xml');
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ created: 0, updated: 0, unchanged: before.participants.length });
    expect(snapshot().participants).toEqual(before.participants);
  });
  it('imports a prefixed-namespace document', async () => {
    const p = row();
    const fields = Object.entries(p)
      .map(([k, v]) => `<d:${k}>${v.replace(/&/gu, '&amp;').replace(/</gu, '&lt;')}</d:${k}>`)
      .join('');
    const r = await importBody(`<?xml version="1.0" encoding="UTF-8"?><d:directory xmlns:d="urn:edx-gateway:directory:1"><d:participant>${fields}</d:participant></d:directory>`, 'application/xml');
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    expect(r.json).toMatchObject({ created: 1 });
  });
  it('reports bad participants per row and imports nothing', async () => {
    const before = snapshot();
    const good = row();
    const el = (r: Record<string, string>): string => `<participant>${Object.entries(r).map(([k, v]) => `<${k}>${v}</${k}>`).join('')}</participant>`;
    const doc = `<directory xmlns="urn:edx-gateway:directory:1">${el(good)}${el(row({ ogrn: '1111111111111' }))}<participant><id>x-y</id><colour>red</colour></participant><other/></directory>`;
    const r = await importBody(doc, 'application/xml');
    expect(r.status).toBe(422);
    const report = (r.json.details as { row: number; field: string; code: string }[]).map((e) => `${e.row}:${e.field}:${e.code}`);
    expect(report).toContain('2:ogrn:OGRN_CHECK_DIGIT');
    expect(report).toContain('3:colour:UNKNOWN_FIELD');
    expect(report).toContain('3:name:REQUIRED');
    expect(report).toContain('4:other:UNKNOWN_ELEMENT');
    expect(snapshot()).toEqual(before);
  });
  it('refuses hostile or foreign XML before reading it: DTD/entities, wrong namespace, malformed, too deep', async () => {
    const before = snapshot();
    const xxe = '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><directory xmlns="urn:edx-gateway:directory:1"><participant><id>&x;</id></participant></directory>';
    const cases = [xxe, '<directory xmlns="urn:other"><participant/></directory>', '<directory xmlns="urn:edx-gateway:directory:1"><participant>', `${'<a>'.repeat(100)}${'</a>'.repeat(100)}`];
    for (const body of cases) {
      const r = await importBody(body, 'application/xml');
      expect(r.status, body.slice(0, 40)).toBe(400);
      expect(r.json.code).toBe('IMPORT_UNREADABLE');
    }
    expect(snapshot()).toEqual(before);
  });
});
