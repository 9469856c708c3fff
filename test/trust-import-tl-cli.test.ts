/**
 * `edx trust import-tl` (through the real bin/edx.js) and POST /api/v1/admin/trust-anchors/trusted-list
 * over a real gateway data directory, with lists signed by xmlsec1 (issue 5, point 4).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scratch, testListXml, xmlsecSign, type Scratch, type TestKey, type TestListOptions } from '../src/crypto/trusted-list/test-lists.ts';
import { tables } from '../src/db/index.ts';
import { edx } from './helpers/cli.ts';
import { auth, startTestGateway, type TestGateway } from './helpers/gateway.ts';

const WITHDRAWN = 'http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/withdrawn';

let gw: TestGateway;
let s: Scratch;
let signer: TestKey;
let qcCa: TestKey;
let apiCa: TestKey;
let dataDir: string;

beforeAll(async () => {
  gw = await startTestGateway();
  dataDir = join(gw.dir, 'data');
  s = scratch();
  signer = s.key('SE trusted list signer', 'ec');
  qcCa = s.key('Svensk kvalificerad CA', 'rsa', true);
  apiCa = s.key('API imported CA', 'ec', true);
});
afterAll(async () => {
  s.dispose();
  await gw.dispose();
});

function signedList(territory: string, sequenceNumber: number, services: TestListOptions['services']): Buffer {
  const nextUpdate = new Date(Date.now() + 86_400_000 * 90).toISOString().replace(/\.\d+Z$/u, 'Z');
  return xmlsecSign(s, testListXml({ territory, sequenceNumber, nextUpdate, services, template: { signatureMethod: 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256' } }), signer);
}

const anchorCount = (): number => gw.ctx.db.select().from(tables.trustAnchors).all().length;

describe('edx trust import-tl', () => {
  it('imports a signed list through bin/edx.js, journalled, and `edx trust list` shows the source', async () => {
    const list = s.write('se-12.xml', signedList('SE', 12, [
      { tspName: 'Trust AB', name: 'Qualified certificates', certificates: [qcCa.der] },
      { tspName: 'Trust AB', name: 'Retired CA', status: WITHDRAWN, certificates: [apiCa.der] },
    ]));
    const bin = spawnSync(process.execPath, ['bin/edx.js', 'trust', 'import-tl', '--data-dir', dataDir, '--list', list, '--signer', signer.certPath], { encoding: 'utf8' });
    expect(bin.stderr).toBe('');
    expect(bin.status).toBe(0);
    expect(bin.stdout).toContain('imported trusted-list SE #12');
    expect(bin.stdout).toMatch(/added 1, made qualified 0, unchanged 0, withdrawn 1, skipped 0/u);
    const shown = await edx(['trust', 'list', '--data-dir', dataDir, '--json']);
    const anchors = JSON.parse(shown.stdout) as { fingerprint: string; qualified: boolean; source: string }[];
    expect(anchors.find((a) => a.fingerprint === qcCa.fingerprint)).toMatchObject({ qualified: true, source: 'trusted-list SE #12' });
    expect(anchors.filter((a) => a.source === 'manual').length).toBeGreaterThan(0);
    const text = await edx(['trust', 'list', '--data-dir', dataDir]);
    expect(text.stdout).toContain('source: trusted-list SE #12');
    const journal = gw.ctx.db.select().from(tables.events).all().filter((e) => e.actor === 'cli').map((e) => e.type);
    expect(journal).toEqual(['trust-anchor.added', 'trust-anchor.trusted-list-imported']);
    expect((await edx(['audit', 'verify', '--data-dir', dataDir])).code).toBe(0);
  });

  it('refuses a tampered list (exit 1), an older one (exit 1), an unpinned signer (exit 1) and bad usage (exit 2), changing nothing', async () => {
    const before = anchorCount();
    const good = signedList('SE', 13, [{ name: 'Qualified certificates', certificates: [qcCa.der] }]).toString('utf8');
    const tampered = s.write('tampered.xml', good.replace('Qualified certificates', 'Qualified certificatez'));
    const r1 = await edx(['trust', 'import-tl', '--data-dir', dataDir, '--list', tampered, '--signer', signer.certPath]);
    expect([r1.code, r1.stderr]).toEqual([1, expect.stringContaining('XMLDSIG_DIGEST_MISMATCH')]);
    const older = s.write('older.xml', signedList('SE', 11, [{ name: 'Q', certificates: [apiCa.der] }]));
    const r2 = await edx(['trust', 'import-tl', '--data-dir', dataDir, '--list', older, '--signer', signer.certPath]);
    expect([r2.code, r2.stderr]).toEqual([1, expect.stringContaining('TL_ROLLBACK')]);
    const r3 = await edx(['trust', 'import-tl', '--data-dir', dataDir, '--list', older, '--signer', qcCa.certPath]);
    expect([r3.code, r3.stderr]).toEqual([1, expect.stringContaining('TL_SIGNER_NOT_PINNED')]);
    const dtd = s.write('dtd.xml', '<!DOCTYPE x [<!ENTITY a "a">]><x>&a;</x>');
    const r4 = await edx(['trust', 'import-tl', '--data-dir', dataDir, '--list', dtd, '--signer', signer.certPath]);
    expect([r4.code, r4.stderr]).toEqual([2, expect.stringContaining('XML_DTD_FORBIDDEN')]);
    expect((await edx(['trust', 'import-tl', '--data-dir', dataDir, '--list', older])).code).toBe(2);
    expect((await edx(['trust', 'import-tl', '--help'])).stdout).toContain('TS 119 612');
    expect(anchorCount()).toBe(before);
  });
});

describe('POST /api/v1/admin/trust-anchors/trusted-list', () => {
  const post = (body: Uint8Array | string, query: string, type = 'application/xml') =>
    gw.app.request(`/api/v1/admin/trust-anchors/trusted-list${query}`, { method: 'POST', headers: { ...auth(gw.adminToken), 'content-type': type }, body });

  it('imports a list signed by the pinned signer and the anchor is listed as qualified', async () => {
    const res = await post(signedList('FI', 3, [{ name: 'FI qualified CA', certificates: [apiCa.der] }]), `?signer=${signer.fingerprint}`);
    expect(res.status).toBe(201);
    const report = (await res.json()) as { source: string; added: { fingerprint: string; qualified: boolean }[] };
    expect(report.source).toBe('trusted-list FI #3');
    expect(report.added).toEqual([expect.objectContaining({ fingerprint: apiCa.fingerprint, qualified: true })]);
    const list = (await (await gw.app.request('/api/v1/admin/trust-anchors', { headers: auth(gw.adminToken) })).json()) as { items: { fingerprint: string; qualified: boolean }[] };
    expect(list.items.find((a) => a.fingerprint === apiCa.fingerprint)?.qualified).toBe(true);
  });

  it('answers refusals with the list code in details, and needs the admin role', async () => {
    const unpinned = await post(signedList('FI', 4, []), `?signer=${qcCa.fingerprint}`);
    expect(unpinned.status).toBe(422);
    expect(await unpinned.json()).toMatchObject({ code: 'IMPORT_INVALID', details: { code: 'TL_SIGNER_NOT_PINNED' } });
    const rollback = await post(signedList('FI', 2, []), `?signer=${signer.fingerprint}`);
    expect(rollback.status).toBe(409);
    expect(await rollback.json()).toMatchObject({ details: { code: 'TL_ROLLBACK' } });
    const hostile = await post('<!DOCTYPE x SYSTEM "file:///etc/passwd"><x/>', `?signer=${signer.fingerprint}`);
    expect(hostile.status).toBe(400);
    expect(await hostile.json()).toMatchObject({ code: 'IMPORT_UNREADABLE', details: { code: 'XML_DTD_FORBIDDEN' } });
    expect((await post('<x/>', '')).status).toBe(400);
    expect((await post('<x/>', `?signer=${signer.fingerprint}`, 'text/plain')).status).toBe(415);
    const sender = gw.tokens.get('demo-refinery') ?? '';
    const forbidden = await gw.app.request(`/api/v1/admin/trust-anchors/trusted-list?signer=${signer.fingerprint}`, { method: 'POST', headers: { ...auth(sender), 'content-type': 'application/xml' }, body: '<x/>' });
    expect(forbidden.status).toBe(403);
  });
});
