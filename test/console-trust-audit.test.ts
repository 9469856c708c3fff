/**
 * Console trust store and audit journal (SPEC §4, §5, §6): admin-only pages, adding a CA of another
 * development PKI (initDevPki) and removing it, refused uploads that change nothing, CSRF, keyset
 * paging of the journal, and chain verification naming a row tampered with in the database.
 */
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initDevPki, pemToDerList, type TrustAnchor } from '../src/crypto/index.ts';
import { appendEvent, openDatabase, tables } from '../src/db/index.ts';
import { listTrustAnchors } from '../src/directory/index.ts';
import { consoleRoutes } from '../src/http/routes/console.ts';
import { rawPost, signIn, type ConsoleClient } from './helpers/console-client.ts';
import { tokenOf, startTestGateway, type TestGateway } from './helpers/gateway.ts';

let gw: TestGateway;
let admin: ConsoleClient;
let refinery: ConsoleClient;
let pkiDir: string;
/** The root CA of a second, unrelated development PKI (PEM as written by initDevPki). */
let otherRootPem: string;
let otherRootDer: Buffer;

/** One h1, lang, a label for every visible control, scope on every th (as test/console-pages.test.ts). */
function checkAccessible(html: string, where: string): void {
  expect(html, where).toMatch(/<html lang="(ru|en)">/u);
  expect(html.match(/<h1[\s>]/gu)?.length, `${where}: one h1`).toBe(1);
  const labelled = new Set([...html.matchAll(/<label for="([^"]+)"/gu)].map((m) => m[1]));
  for (const m of html.matchAll(/<(input|select|textarea)\b([^>]*)>/gu)) {
    const attrs = m[2] ?? '';
    if (/type="hidden"/u.test(attrs)) continue;
    const id = /\bid="([^"]+)"/u.exec(attrs)?.[1];
    const before = html.slice(Math.max(0, (m.index ?? 0) - 200), m.index);
    const wrapped = before.lastIndexOf('<label>') > before.lastIndexOf('</label>');
    expect(wrapped || (id !== undefined && labelled.has(id)), `${where}: label for ${m[0]}`).toBe(true);
  }
  for (const th of html.matchAll(/<th\b([^>]*)>/gu)) expect(th[1], `${where}: th scope`).toMatch(/scope="(col|row)"/u);
}

/** SHA-256 fingerprint by Node's X509Certificate, independent of the gateway's own parser. */
function fingerprintOf(der: Buffer): string {
  return new X509Certificate(der).fingerprint256.replace(/:/gu, '').toLowerCase();
}

function upload(bytes: Uint8Array | string, name: string, fields: Record<string, string> = {}): FormData {
  const form = new FormData();
  form.set('certificate', new File([typeof bytes === 'string' ? bytes : new Uint8Array(bytes)], name));
  for (const [k, v] of Object.entries(fields)) form.set(k, v);
  return form;
}

const anchorCount = (): number => gw.ctx.db.select().from(tables.trustAnchors).all().length;

beforeAll(async () => {
  gw = await startTestGateway();
  gw.clock.now = new Date();
  admin = await signIn(gw, gw.adminToken);
  refinery = await signIn(gw, tokenOf(gw, 'demo-refinery'));
  pkiDir = await mkdtemp(join(tmpdir(), 'edx-other-pki-'));
  const pki = await initDevPki({ dir: pkiDir, participants: [], now: gw.clock.now });
  otherRootPem = await readFile(pki.rootCertPath, 'utf8');
  const der = pemToDerList(otherRootPem)[0];
  if (der === undefined) throw new Error('the other root is unreadable');
  otherRootDer = der;
});
afterAll(async () => {
  await gw.dispose();
  await rm(pkiDir, { recursive: true, force: true });
});

describe('access', () => {
  it('renders both pages accessibly for an administrator, with navigation links', async () => {
    for (const path of ['/console/trust', '/console/audit', '/console/audit/verify']) {
      const res = await admin.get(path);
      expect(res.status, path).toBe(200);
      const html = await res.text();
      checkAccessible(html, path);
      expect(html).toContain('href="/console/trust"');
      expect(html).toContain('href="/console/audit"');
    }
    const en = await signIn(gw, gw.adminToken);
    await en.post('/console/settings', { lang: 'en', tz: 'UTC', back: '/console/trust' });
    const html = await (await en.get('/console/trust')).text();
    expect(html).toContain('<a href="/console/trust" aria-current="page">Trust store</a>');
    expect(html).toContain('>Audit journal</a>');
  });

  it('refuses participants with 403 and hides the links', async () => {
    for (const path of ['/console/trust', '/console/audit', '/console/audit/verify']) expect((await refinery.get(path)).status, path).toBe(403);
    expect((await refinery.postMultipart('/console/trust', upload(otherRootPem, 'root.pem'))).status).toBe(403);
    expect((await refinery.post(`/console/trust/${'a'.repeat(64)}/remove`, {})).status).toBe(403);
    const home = await (await refinery.get('/console')).text();
    expect(home).not.toContain('href="/console/trust"');
    expect(home).not.toContain('href="/console/audit"');
    expect(anchorCount()).toBe(1);
  });
});

describe('trust store', () => {
  it('lists the development root with subject, label, qualified flag, validity and fingerprint', async () => {
    const html = await (await admin.get('/console/trust')).text();
    const [root] = listTrustAnchors(gw.ctx.db);
    expect(root).toBeDefined();
    expect(html).toContain(fingerprintOf(root?.certificate ?? Buffer.alloc(0)));
    expect(html).toContain('edx-gateway development root CA (NOT FOR PRODUCTION)');
    expect(html).toMatch(/<td>да<\/td>/u);
    expect(html).toMatch(/Срок действия/u);
  });

  it('adds a CA of another PKI (PEM): it is listed and the gateway trusts it; a second add is refused in place', async () => {
    const fp = fingerprintOf(otherRootDer);
    expect((await admin.get('/console/trust')).headers.get('content-type')).toContain('text/html');
    const res = await admin.postMultipart('/console/trust', upload(otherRootPem, 'other-root.pem', { label: 'Other <PKI>', qualified: 'on' }));
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/console/trust?flash=anchor-added');
    const html = await (await admin.get('/console/trust?flash=anchor-added')).text();
    expect(html).toContain('Доверенный УЦ добавлен.');
    expect(html).toContain(fp);
    expect(html).toContain('Other &lt;PKI&gt;');
    expect(html).not.toContain('Other <PKI>');
    const stored = listTrustAnchors(gw.ctx.db).find((a) => a.certificate.equals(otherRootDer));
    expect(stored).toMatchObject({ label: 'Other <PKI>', qualified: true });
    const again = await admin.postMultipart('/console/trust', upload(otherRootDer, 'other-root.der'));
    expect(again.status).toBe(409);
    const page = await again.text();
    expect(page).toMatch(/id="certificate-error" role="alert">TRUST_ANCHOR_EXISTS/u);
    expect(page).toContain('aria-describedby="certificate-error"');
    expect(anchorCount()).toBe(2);
    const journal = await (await admin.get('/console/audit?type=trust-anchor.added')).text();
    expect(journal).toContain(fp);
  });

  it('removes an anchor with a CSRF-protected form; CSRF missing or wrong is 403 and changes nothing', async () => {
    const fp = fingerprintOf(otherRootDer);
    const page = await (await admin.get('/console/trust')).text();
    expect(page).toContain(`action="/console/trust/${fp}/remove"`);
    const noCsrf = await rawPost(gw, `/console/trust/${fp}/remove`, new URLSearchParams({}), { cookie: admin.cookie });
    expect(noCsrf.status).toBe(403);
    const wrong = await admin.post(`/console/trust/${fp}/remove`, { _csrf: 'x'.repeat(43) });
    expect(wrong.status).toBe(403);
    const crossSite = await admin.post(`/console/trust/${fp}/remove`, {}, { 'sec-fetch-site': 'cross-site' });
    expect(crossSite.status).toBe(403);
    expect(anchorCount()).toBe(2);
    const removed = await admin.post(`/console/trust/${fp}/remove`, {});
    expect(removed.status).toBe(303);
    expect(removed.headers.get('location')).toBe('/console/trust?flash=anchor-removed');
    expect(listTrustAnchors(gw.ctx.db).some((a) => a.certificate.equals(otherRootDer))).toBe(false);
    const after = await (await admin.get('/console/trust?flash=anchor-removed')).text();
    expect(after).toContain('Доверенный УЦ удалён.');
    expect(after).not.toContain(fp);
    expect((await admin.post(`/console/trust/${fp}/remove`, {})).status).toBe(404);
    expect((await admin.post('/console/trust/not-a-fingerprint/remove', {})).status).toBe(400);
  });

  it('shows an error for a non-certificate, a non-CA and a missing file, and changes nothing', async () => {
    const before = anchorCount();
    const garbage = await admin.postMultipart('/console/trust', upload('this is not a certificate', 'junk.pem', { label: 'Junk', qualified: 'on' }));
    expect(garbage.status).toBe(422);
    const html = await garbage.text();
    expect(html).toMatch(/id="certificate-error" role="alert">CERTIFICATE_UNREADABLE/u);
    expect(html).toContain('value="Junk"');
    expect(html).toMatch(/name="qualified" value="on" checked/u);
    checkAccessible(html, 'refused upload');
    const leafPem = await readFile(join(gw.paths.pki, 'demo-refinery.cert.pem'), 'utf8');
    const leaf = await admin.postMultipart('/console/trust', upload(leafPem, 'leaf.pem'));
    expect(leaf.status).toBe(422);
    expect(await leaf.text()).toContain('TRUST_ANCHOR_NOT_CA');
    const empty = new FormData();
    empty.set('label', 'x');
    expect((await admin.postMultipart('/console/trust', empty)).status).toBe(400);
    const noCsrf = await rawPost(gw, '/console/trust', upload(otherRootPem, 'root.pem'), { cookie: admin.cookie });
    expect(noCsrf.status).toBe(403);
    expect(anchorCount()).toBe(before);
  });

  it('reloads the verifier\'s cached anchors through onTrustAnchorsChanged', async () => {
    // The same cache open-gateway.ts keeps: a list read once and reloaded on change.
    let anchors: readonly TrustAnchor[] = listTrustAnchors(gw.ctx.db);
    let calls = 0;
    const app = new Hono().route('/console', consoleRoutes({ gateway: { ...gw.ctx, trustAnchors: () => anchors }, maxUploadBytes: 1 << 20, onTrustAnchorsChanged: () => {
      calls += 1;
      anchors = listTrustAnchors(gw.ctx.db);
    } }));
    const local = { ...gw, app: app as unknown as TestGateway['app'] };
    const client = await signIn(local, gw.adminToken);
    expect((await client.postMultipart('/console/trust', upload(otherRootDer, 'root.der'))).status).toBe(303);
    expect(calls).toBe(1);
    expect(anchors.some((a) => a.certificate.equals(otherRootDer))).toBe(true);
    expect((await client.post(`/console/trust/${fingerprintOf(otherRootDer)}/remove`, {})).status).toBe(303);
    expect(calls).toBe(2);
    expect(anchors.some((a) => a.certificate.equals(otherRootDer))).toBe(false);
  });

  it('the running gateway\'s cached anchors include a CA added in the console', async () => {
    expect((await admin.postMultipart('/console/trust', upload(otherRootPem, 'root.pem'))).status).toBe(303);
    try {
      expect(gw.ctx.trustAnchors().some((a) => a.certificate.equals(otherRootDer))).toBe(true);
    } finally {
      await admin.post(`/console/trust/${fingerprintOf(otherRootDer)}/remove`, {});
    }
  });
});

describe('audit journal', () => {
  it('lists newest first, 50 per page by keyset, and filters by type and message id', async () => {
    const at = gw.clock.now.toISOString();
    gw.ctx.db.transaction((tx) => {
      for (let i = 0; i < 60; i += 1) appendEvent(tx, { at, type: 'test.paging', actor: 'tester', messageId: i % 2 === 0 ? 'msg-even' : null, fromState: null, toState: null, detail: { i } });
    });
    const seqs = (html: string): number[] => [...html.matchAll(/<tr id="row-(\d+)">/gu)].map((m) => Number(m[1]));
    const first = await (await admin.get('/console/audit?type=test.paging')).text();
    checkAccessible(first, 'audit');
    const firstSeqs = seqs(first);
    expect(firstSeqs).toHaveLength(50);
    expect([...firstSeqs].sort((a, b) => b - a)).toEqual(firstSeqs);
    expect(first).toContain('{&quot;i&quot;:59}');
    const next = /href="([^"]*)" rel="next"/u.exec(first)?.[1]?.replace(/&amp;/gu, '&');
    expect(next).toMatch(/^\/console\/audit\?type=test.paging&before=\d+$/u);
    const second = await (await admin.get(next ?? '')).text();
    const secondSeqs = seqs(second);
    expect(secondSeqs).toHaveLength(10);
    expect(Math.max(...secondSeqs)).toBeLessThan(Math.min(...firstSeqs));
    expect(second).toContain('{&quot;i&quot;:0}');
    expect(second).not.toContain('rel="next"');
    const byMessage = await (await admin.get('/console/audit?message=msg-even')).text();
    expect(seqs(byMessage)).toHaveLength(30);
    expect(byMessage).not.toContain('{&quot;i&quot;:1}');
    const none = await (await admin.get('/console/audit?type=no.such.type')).text();
    expect(none).toContain('Записей нет.');
  });

  it('verifies the chain: OK with row count and last hash, then names the row tampered with in the database', async () => {
    const last = gw.ctx.db.select().from(tables.events).all().at(-1);
    const ok = await (await admin.get('/console/audit/verify')).text();
    expect(ok).toContain('Журнал цел');
    expect(ok).toContain(`<td class="num">${last?.seq}</td>`);
    expect(ok).toContain(last?.hash ?? 'no rows');
    const victim = gw.ctx.db.select().from(tables.events).all().find((e) => e.type === 'test.paging');
    expect(victim).toBeDefined();
    const h = openDatabase(gw.paths.database);
    try {
      h.sqlite.exec('DROP TRIGGER events_no_update');
      h.sqlite.prepare(`UPDATE events SET detail_json = '{"i":999}' WHERE seq = ?`).run(victim?.seq);
    } finally {
      h.close();
    }
    const bad = await admin.get('/console/audit/verify');
    expect(bad.status).toBe(200);
    const html = await bad.text();
    checkAccessible(html, 'verify broken');
    expect(html).toContain('Журнал НАРУШЕН');
    expect(html).toContain(`#row-${victim?.seq}">${victim?.seq}</a>`);
    expect(html).toContain('row content does not match its hash');
  });
});
