import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { neutraliseFormula, parseCsv, restoreFormula, writeCsv } from './csv.ts';

describe('parseCsv (RFC 4180)', () => {
  it('reads quoted fields with commas, doubled quotes and line breaks, CRLF or LF, with or without BOM', () => {
    const text = '\uFEFFa,b,c\r\n"x, y","say ""hi""","line1\nline2"\n1,,3';
    expect(parseCsv(text)).toEqual({ ok: true, records: [['a', 'b', 'c'], ['x, y', 'say "hi"', 'line1\nline2'], ['1', '', '3']] });
  });
  it('does not make a record of the final line break, but keeps an empty last field', () => {
    expect(parseCsv('a,b\r\n')).toEqual({ ok: true, records: [['a', 'b']] });
    expect(parseCsv('a,\r\n')).toEqual({ ok: true, records: [['a', '']] });
    expect(parseCsv('')).toEqual({ ok: true, records: [] });
  });
  it('names the record of an unterminated quote, a stray quote, or text after a closing quote', () => {
    expect(parseCsv('a,b\n"open,c\n')).toMatchObject({ ok: false, record: 2 });
    expect(parseCsv('a,b\nx"y,c\n')).toMatchObject({ ok: false, record: 2 });
    expect(parseCsv('a,b\nc,d\n"x"y,z\n')).toMatchObject({ ok: false, record: 3 });
  });
  it('refuses more records than the limit', () => {
    expect(parseCsv('a\nb\nc\n', { maxRecords: 2, maxFieldChars: 10 })).toMatchObject({ ok: false });
  });
});

describe('writeCsv', () => {
  it('neutralises formula cells (OWASP CSV injection) and restores them on import', () => {
    for (const v of ['=1+1', '+7 342 123-45-67', '-2', '@SUM(A1)', '\tx']) {
      expect(neutraliseFormula(v)).toBe(`'${v}`);
      expect(restoreFormula(neutraliseFormula(v))).toBe(v);
    }
    expect(neutraliseFormula("'quoted")).toBe("'quoted");
    expect(restoreFormula("'quoted")).toBe("'quoted");
  });
  it('round-trips any text through parseCsv', () => {
    // A value that already looks neutralised ('=...) is the one ambiguity of the OWASP scheme.
    const cell = fc.string({ unit: 'grapheme' }).filter((s) => !/^'[=+\-@\t\r]/u.test(s));
    fc.assert(
      fc.property(fc.array(fc.array(cell, { minLength: 2, maxLength: 5 }), { minLength: 1, maxLength: 6 }), (rows) => {
        const parsed = parseCsv(writeCsv(rows));
        expect(parsed.ok).toBe(true);
        if (parsed.ok) expect(parsed.records.map((r) => r.map(restoreFormula))).toEqual(rows);
      }),
    );
  });
  it('is read the same by an independent parser (python csv)', () => {
    const rows = [['id', 'name'], ['a', 'ООО «Рога, и копыта»'], ['b', 'say "hi"\nnext line'], ['c', '=HYPERLINK("x")']];
    const out = spawnSync('python3', ['-c', 'import csv,sys,json; print(json.dumps(list(csv.reader(sys.stdin.read().lstrip("\\ufeff").splitlines(True)))))'], { input: writeCsv(rows), encoding: 'utf8' });
    expect(out.status, out.stderr).toBe(0);
    const expected = rows.map((r) => r.map(neutraliseFormula));
    expect(JSON.parse(out.stdout)).toEqual(expected);
  });
});
