/** Importing xmlsec1-signed TS 119 612 lists into a fresh migrated database. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scratch, testListXml, xmlsecSign, type Scratch, type TestKey, type TestListOptions } from '../crypto/trusted-list/test-lists.ts';
import { migrate, openDatabase, tables, verifyJournal, type DatabaseHandle } from '../db/index.ts';
import type { AdminContext } from './errors.ts';
import { importTrustedList, trustAnchorSources, type ImportTrustedListInput } from './import-trusted-list.ts';
import { addTrustAnchorCertificate, listTrustAnchorViews } from './trust-anchors.ts';

const WITHDRAWN = 'http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/withdrawn';
const CA_PKC = 'http://uri.etsi.org/TrstSvc/Svctype/CA/PKC';
const TSA_QTST = 'http://uri.etsi.org/TrstSvc/Svctype/TSA/QTST';

let s: Scratch;
let signer: TestKey;
let qcCa: TestKey;
let oldCa: TestKey;
let pkcCa: TestKey;
let manualCa: TestKey;
let manualQualified: TestKey;
let leaf: TestKey;
let handle: DatabaseHandle;
let ctx: AdminContext;
// The test certificates are made by openssl for "now"; the clock is pinned once for the whole file.
const now = new Date();

beforeAll(() => {
  s = scratch();
  signer = s.key('SE TL signer', 'rsa');
  qcCa = s.key('Qualified CA', 'rsa', true);
  oldCa = s.key('Withdrawn CA', 'ec', true);
  pkcCa = s.key('Non-qualified CA', 'rsa', true);
  manualCa = s.key('Manual CA', 'ec', true);
  manualQualified = s.key('Manual qualified CA', 'ec', true);
  leaf = s.key('Not a CA', 'ec');
  handle = openDatabase(':memory:');
  migrate(handle.sqlite, now);
  ctx = { db: handle.db, now: () => now };
});
afterAll(() => {
  handle.close();
  s.dispose();
});

function list(sequenceNumber: number, services: TestListOptions['services']): Buffer {
  return xmlsecSign(s, testListXml({ sequenceNumber, services, nextUpdate: new Date(now.getTime() + 86_400_000 * 180).toISOString().replace(/\.\d+Z$/u, 'Z') }), signer);
}

function run(xml: Uint8Array, extra: Partial<ImportTrustedListInput> = {}) {
  return importTrustedList(ctx, { xml, pinnedSignerFingerprints: [signer.fingerprint], actor: 'test', ...extra });
}

const anchors = () => handle.db.select().from(tables.trustAnchors).all();
const qualifiedOf = (k: TestKey) => anchors().find((a) => a.fingerprint === k.fingerprint)?.qualified;
const events = () => handle.db.select().from(tables.events).all();

describe('importTrustedList', () => {
  it('imports granted CA/QC certificates as qualified anchors and reports the rest', () => {
    const r = run(
      list(7, [
        { name: 'Qualified CA', certificates: [qcCa.der] },
        { name: 'Old CA', status: WITHDRAWN, certificates: [oldCa.der] },
        { name: 'PKC CA', type: CA_PKC, certificates: [pkcCa.der] },
        { name: 'Timestamps', type: TSA_QTST, certificates: [leaf.der] },
        { name: 'Leaf as CA/QC', certificates: [leaf.der] },
      ]),
    );
    if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
    expect(r.value.source).toBe('trusted-list SE #7');
    expect(r.value.added.map((a) => [a.fingerprint, a.qualified])).toEqual([[qcCa.fingerprint, true]]);
    expect(r.value.withdrawn.map((w) => [w.fingerprint, w.present, w.disqualified])).toEqual([[oldCa.fingerprint, false, false]]);
    expect(r.value.skipped.map((x) => x.serviceName)).toEqual(['PKC CA', 'Timestamps', 'Leaf as CA/QC']);
    expect(r.value.skipped[2]?.reason).toMatch(/not a CA/u);
    expect(qualifiedOf(qcCa)).toBe(true);
    expect(qualifiedOf(oldCa)).toBeUndefined();
    expect(trustAnchorSources(ctx).get(qcCa.fingerprint)).toBe('trusted-list SE #7');
    expect(events().map((e) => e.type)).toEqual(['trust-anchor.added', 'trust-anchor.trusted-list-imported']);
  });

  it('an older list, or another list with the same sequence number, is a rollback', () => {
    const again = run(list(7, [{ name: 'Qualified CA', certificates: [qcCa.der] }]));
    expect(again.ok ? 'OK' : again.error.code).toBe('TL_ROLLBACK');
    const before = events().length;
    const older = run(list(6, [{ name: 'Qualified CA', certificates: [qcCa.der] }]));
    expect(older.ok ? 'OK' : older.error.code).toBe('TL_ROLLBACK');
    expect(events().length).toBe(before);
  });

  it('a newer list withdraws a CA it had made qualified, adds non-qualified CAs on request, and leaves manual anchors alone', () => {
    const manual = addTrustAnchorCertificate(ctx, { body: manualCa.der, qualified: false, actor: 'test' });
    const manualQ = addTrustAnchorCertificate(ctx, { body: manualQualified.der, qualified: true, actor: 'test' });
    expect(manual.ok && manualQ.ok).toBe(true);
    const xml = list(8, [
      { name: 'Qualified CA', status: WITHDRAWN, certificates: [qcCa.der] },
      { name: 'Manual CA, now qualified', certificates: [manualCa.der] },
      { name: 'Manual qualified, withdrawn', status: WITHDRAWN, certificates: [manualQualified.der] },
      { name: 'PKC CA', type: CA_PKC, certificates: [pkcCa.der] },
    ]);
    const r = run(xml, { includeNonQualified: true });
    if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
    expect(r.value.withdrawn.map((w) => [w.serviceName, w.disqualified])).toEqual([
      ['Qualified CA', true],
      ['Manual qualified, withdrawn', false],
    ]);
    expect(r.value.requalified.map((a) => a.fingerprint)).toEqual([manualCa.fingerprint]);
    expect(r.value.added.map((a) => [a.fingerprint, a.qualified])).toEqual([[pkcCa.fingerprint, false]]);
    expect(r.value.warnings.join('\n')).toMatch(/manually managed/u);
    expect([qualifiedOf(qcCa), qualifiedOf(manualCa), qualifiedOf(manualQualified), qualifiedOf(pkcCa)]).toEqual([false, true, true, false]);
    const sources = trustAnchorSources(ctx);
    expect([sources.get(qcCa.fingerprint), sources.get(manualCa.fingerprint), sources.get(manualQualified.fingerprint)]).toEqual([
      'trusted-list SE #7',
      'trusted-list SE #8',
      'manual',
    ]);
    // The admin API's view of the anchors says the same.
    const views = new Map(listTrustAnchorViews(ctx).map((v) => [v.fingerprint, v.source]));
    expect([views.get(qcCa.fingerprint), views.get(manualCa.fingerprint), views.get(manualQualified.fingerprint)]).toEqual([
      'trusted-list SE #7',
      'trusted-list SE #8',
      'manual',
    ]);
    // The identical bytes again: accepted, nothing changes.
    const same = run(xml, { includeNonQualified: true });
    expect(same.ok && [same.value.added.length, same.value.requalified.length, same.value.unchanged.length]).toEqual([0, 0, 2]);
    expect(verifyJournal(handle.db).ok).toBe(true);
  });

  it('accepts a list without services (the list of the lists has none): only the import is journalled', () => {
    const xml = xmlsecSign(s, testListXml({ territory: 'DK', sequenceNumber: 1, services: [] }), signer);
    const r = run(xml);
    expect(r.ok && [r.value.source, r.value.added.length, r.value.skipped.length]).toEqual(['trusted-list DK #1', 0, 0]);
    expect(events().at(-1)?.type).toBe('trust-anchor.trusted-list-imported');
  });

  it('refuses unsigned, unpinned and oversized lists without changing anything', () => {
    const before = [anchors().length, events().length];
    const unsigned = run(Buffer.from(testListXml({ sequenceNumber: 9, services: [{ name: 'X', certificates: [oldCa.der] }], template: false })));
    expect(unsigned.ok ? 'OK' : unsigned.error.code).toBe('XMLDSIG_NO_SIGNATURE');
    const unpinned = run(list(9, [{ name: 'X', certificates: [oldCa.der] }]), { pinnedSignerFingerprints: [qcCa.fingerprint] });
    expect(unpinned.ok ? 'OK' : unpinned.error.code).toBe('TL_SIGNER_NOT_PINNED');
    const big = run(list(9, [{ name: 'X', certificates: [oldCa.der] }]), { maxBytes: 2048 });
    expect(big.ok ? 'OK' : big.error.code).toBe('XML_TOO_LARGE');
    expect([anchors().length, events().length]).toEqual(before);
  });
});
