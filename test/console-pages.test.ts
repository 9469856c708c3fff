/** Web console pages through app.request: search and paging, compose, directory edits, certificates, tokens, reports and their CSV. */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pemFromDer } from './helpers/console-pem.ts';
import { devRoot, days, leafCertificate } from './helpers/admin-pki.ts';
import { signIn, type ConsoleClient } from './helpers/console-client.ts';
import { auth, letterForm, startTestGateway, tokenOf, type TestGateway } from './helpers/gateway.ts';

let gw: TestGateway;
let admin: ConsoleClient;
let refinery: ConsoleClient;

async function send(to: string[], document: Record<string, unknown>, from = 'demo-refinery'): Promise<string[]> {
  const res = await gw.app.request('/api/v1/messages', { method: 'POST', body: letterForm({ to, document }), headers: auth(tokenOf(gw, from)) });
  expect(res.status).toBe(202);
  return ((await res.json()) as { messages: { id: string }[] }).messages.map((m) => m.id);
}

const doc = (regNumber: string, subject: string, kind = 'letter'): Record<string, unknown> => ({
  kind,
  regNumber,
  regDate: '2026-11-20',
  subject,
  signatory: { name: 'Иванов Иван Иванович', position: 'Генеральный директор' },
});

/** Every page: one h1, a lang attribute, and a label for every visible form control (WCAG 1.3.1, 3.3.2). */
function checkAccessible(html: string, where: string): void {
  expect(html, where).toMatch(/<html lang="(ru|en)">/u);
  expect(html.match(/<h1[\s>]/gu)?.length, `${where}: one h1`).toBe(1);
  const levels = [...html.matchAll(/<h([1-6])[\s>]/gu)].map((m) => Number(m[1]));
  for (let i = 1; i < levels.length; i += 1) expect((levels[i] ?? 0) - (levels[i - 1] ?? 0), `${where}: headings in order`).toBeLessThanOrEqual(1);
  const labelled = new Set([...html.matchAll(/<label for="([^"]+)"/gu)].map((m) => m[1]));
  for (const m of html.matchAll(/<(input|select|textarea)\b([^>]*)>/gu)) {
    const attrs = m[2] ?? '';
    if (/type="hidden"/u.test(attrs)) continue;
    const id = /\bid="([^"]+)"/u.exec(attrs)?.[1];
    // A control inside its <label> is labelled too (checkboxes in lists).
    const before = html.slice(Math.max(0, (m.index ?? 0) - 200), m.index);
    const wrapped = before.lastIndexOf('<label>') > before.lastIndexOf('</label>');
    expect(wrapped || (id !== undefined && labelled.has(id)), `${where}: label for ${m[0]}`).toBe(true);
  }
  for (const th of html.matchAll(/<th\b([^>]*)>/gu)) expect(th[1], `${where}: th scope`).toMatch(/scope="(col|row)"/u);
}

/** Parses CSV with Python's csv module (an independent RFC 4180 reader); returns the records and whether a BOM led. */
function pythonCsv(bytes: Uint8Array): { bom: boolean; rows: string[][] } {
  const out = execFileSync('python3', ['-c', 'import csv,io,json,sys\nraw=sys.stdin.buffer.read()\nbom=raw.startswith(b"\\xef\\xbb\\xbf")\nrows=list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""), strict=True))\nprint(json.dumps({"bom":bom,"rows":rows}))'], { input: bytes });
  return JSON.parse(out.toString('utf8')) as { bom: boolean; rows: string[][] };
}

beforeAll(async () => {
  // A fixed day (the pages show dates); the gateway's development PKI is issued on that day too,
  // or its certificates would not yet be valid on it once the real date has moved on.
  gw = await startTestGateway({ now: new Date('2026-11-25T07:00:00Z') });
  admin = await signIn(gw, gw.adminToken);
  refinery = await signIn(gw, tokenOf(gw, 'demo-refinery'));
});
afterAll(async () => {
  await gw.dispose();
});

describe('pages', () => {
  it('render accessibly for an administrator and a participant', async () => {
    await send(['gov-minprom'], doc('01-01/1', 'Проверка страниц'));
    const id = (await send(['gov-minfin'], doc('01-01/2', 'Вторая'))).at(0) ?? '';
    const paths = ['/console', '/console/messages', `/console/messages/${id}`, '/console/directory', '/console/directory/gov-minfin', '/console/tokens', '/console/reports/delivery', '/console/reports/discipline', '/console/settings'];
    for (const path of paths) {
      const res = await admin.get(path);
      expect(res.status, path).toBe(200);
      checkAccessible(await res.text(), path);
    }
    for (const path of ['/console', '/console/compose', '/console/messages']) {
      const res = await refinery.get(path);
      expect(res.status, path).toBe(200);
      checkAccessible(await res.text(), path);
    }
    const login = await (await gw.app.request('/console/login')).text();
    checkAccessible(login, 'login');
  });

  it('shows the dashboard figures: messages by state and overdue responses', async () => {
    const html = await (await admin.get('/console')).text();
    expect(html).toMatch(/state=queued">в очереди<\/a><\/th><td class="num">\d+</u);
    expect(html).toContain('<svg');
    expect(html).toContain('Сертификаты, истекающие в ближайшие 30 дней');
  });
});

describe('messages', () => {
  it('finds by registration number prefix, subject in any case, sender INN and state, and pages by keyset', async () => {
    for (let i = 0; i < 3; i += 1) await send(['gov-mineconomy'], doc(`77-05/${i}`, `Согласование графика ${i}`));
    const reg = await (await admin.get('/console/messages?reg=77-05%2F')).text();
    expect(reg.match(/77-05\/\d</gu)?.length).toBe(3);
    const subject = await (await admin.get(`/console/messages?subject=${encodeURIComponent('согласование ГРАФИКА 1')}`)).text();
    expect(subject).toContain('Согласование графика 1');
    expect(subject).not.toContain('Согласование графика 2');
    const state = await (await admin.get('/console/messages?state=failed')).text();
    expect(state).toContain('Сообщений не найдено.');
    const inn = (await (await admin.get('/console/directory/demo-refinery')).text()).match(/<dt>ИНН<\/dt><dd>(\d+)</u)?.[1] ?? '';
    const bySender = await (await admin.get(`/console/messages?sender=${inn}&reg=77-05`)).text();
    expect(bySender.match(/77-05\/\d</gu)?.length).toBe(3);
    const none = await (await admin.get('/console/messages?sender=gov-minfin&reg=77-05')).text();
    expect(none).toContain('Сообщений не найдено.');
  });

  it('pages newest first with a "before" cursor and no repeats', async () => {
    for (let i = 0; i < 52; i += 1) await send(['gov-minobr'], doc(`88-${String(i).padStart(2, '0')}`, 'Пакет'));
    const first = await (await admin.get('/console/messages?reg=88-')).text();
    const next = /href="(\/console\/messages\?[^"]*before=\d+[^"]*)" rel="next"/u.exec(first)?.[1]?.replace(/&amp;/gu, '&');
    expect(next).toBeDefined();
    const second = await (await admin.get(next ?? '')).text();
    const regs = (html: string): string[] => [...html.matchAll(/>(88-\d\d)</gu)].map((m) => m[1] ?? '');
    expect(regs(first)).toHaveLength(50);
    expect(regs(second)).toEqual(['88-01', '88-00']);
    expect(regs(first)[0]).toBe('88-51');
    expect(second).not.toContain('rel="next"');
  });

  it('shows dates in the user\'s time zone', async () => {
    const client = await signIn(gw, gw.adminToken);
    const id = (await send(['gov-minprom'], doc('TZ-1', 'Часовой пояс'))).at(0) ?? '';
    const perm = await (await client.get(`/console/messages/${id}`)).text();
    // 07:00 UTC is 12:00 in Perm (UTC+5), the default.
    expect(perm).toContain('25.11.2026, 12:00:00');
    expect((await client.post('/console/settings', { lang: 'en', tz: 'UTC', back: '/console/settings' })).status).toBe(303);
    const utc = await (await client.get(`/console/messages/${id}`)).text();
    expect(utc).toContain('<html lang="en">');
    expect(utc).toContain('25/11/2026, 07:00:00');
    expect((await client.post('/console/settings', { lang: 'en', tz: 'Mars/Olympus' })).status).toBe(422);
  });

  it('shows the timeline, files, validation reports and receipts with download links', async () => {
    const id = (await send(['gov-minprom'], doc('TL-1', 'Хронология'))).at(0) ?? '';
    const html = await (await admin.get(`/console/messages/${id}`)).text();
    expect(html).toContain('message.accepted');
    expect(html).toContain('Письмо.pdf');
    expect(html).toMatch(/class="indication ind-[A-Z-]+"/u);
    const receipt = /href="(\/console\/messages\/[^"]+\/receipts\/[^"]+)"/u.exec(html)?.[1] ?? '';
    expect(receipt).not.toBe('');
    const zip = await admin.get(receipt);
    expect(zip.status).toBe(200);
    expect(zip.headers.get('content-type')).toBe('application/zip');
  });
});

describe('compose', () => {
  it('finds a recipient by INN, signs with the hosted key and lists the new messages', async () => {
    const inn = (await (await admin.get('/console/directory/gov-minfin')).text()).match(/<dt>ИНН<\/dt><dd>(\d+)</u)?.[1] ?? '';
    const search = await (await refinery.get(`/console/compose?q=${inn}`)).text();
    expect(search).toContain('name="to.gov-minfin"');
    expect(search).not.toContain('name="to.gov-minprom"');
    const form = new FormData();
    form.set('to.gov-minfin', 'on');
    form.set('to.gov-minobr', 'on');
    form.set('kind', 'appeal');
    form.set('regNumber', 'К-2026/15');
    form.set('regDate', '2026-11-25');
    form.set('subject', 'Обращение из консоли');
    form.set('signatoryName', 'Петров Пётр Петрович');
    form.set('signatoryPosition', 'Директор');
    form.set('_idem', 'compose-test-1');
    form.append('files', new Blob([Buffer.from('%PDF-1.7\nconsole letter\n')], { type: 'application/pdf' }), 'Обращение.pdf');
    const res = await refinery.postMultipart('/console/compose', form);
    const html = await res.text();
    expect(res.status, html).toBe(201);
    const ids = [...html.matchAll(/href="\/console\/messages\/([0-9a-f-]{36})"/gu)].map((m) => m[1] ?? '');
    expect(ids).toHaveLength(2);
    const status = await gw.app.request(`/api/v1/messages/${ids[0] ?? ''}`, { headers: auth(tokenOf(gw, 'demo-refinery')) });
    const view = (await status.json()) as { state: string; document: { kind: string; responseDue: string } };
    expect(view.state).toBe('queued');
    // SPEC §5: 30 days for a citizen's appeal.
    expect(view.document.responseDue).toBe('2026-12-25');
    const list = await (await refinery.get('/console/messages?reg=%D0%9A-2026')).text();
    expect(list).toContain(`/console/messages/${ids[0] ?? ''}`);
  });

  it('refuses a letter without recipients or files (422) and sends nothing', async () => {
    const form = new FormData();
    form.set('regNumber', 'R-0');
    form.set('regDate', '2026-11-25');
    form.set('subject', 'x');
    form.set('signatoryName', 'a');
    form.set('signatoryPosition', 'b');
    form.set('kind', 'letter');
    form.append('files', new Blob([Buffer.from('x')]), 'a.txt');
    const res = await refinery.postMultipart('/console/compose', form);
    expect(res.status).toBe(422);
    expect(await res.text()).toContain('Выберите хотя бы одного получателя.');
  });
});

describe('directory', () => {
  it('searches by INN and name, and pages', async () => {
    const inn = (await (await admin.get('/console/directory/gov-minobr')).text()).match(/<dt>ИНН<\/dt><dd>(\d+)</u)?.[1] ?? '';
    const byInn = await (await admin.get(`/console/directory?q=${inn}`)).text();
    expect(byInn).toContain('href="/console/directory/gov-minobr"');
    expect(byInn).toContain('Найдено: <strong>1</strong>');
  });

  it('edits a participant, reporting field errors in place', async () => {
    const bad = await admin.post('/console/directory/demo-supplier', { inn: '1234567890' });
    expect(bad.status).toBe(422);
    const html = await bad.text();
    expect(html).toContain('aria-invalid="true"');
    expect(html).toContain('INN_CHECK_DIGIT');
    const ok = await admin.post('/console/directory/demo-supplier', { phone: '+7 342 111-22-33' });
    expect(ok.status).toBe(303);
    expect(await (await admin.get('/console/directory/demo-supplier')).text()).toContain('+7 342 111-22-33');
  });

  it('uploads a PEM certificate, refuses a non-certificate, and revokes', async () => {
    const root = await devRoot(gw);
    const der = leafCertificate({ issuer: root, from: days(gw.clock.now, -1), to: days(gw.clock.now, 20), subject: { commonName: 'Console Upload' } });
    const form = new FormData();
    form.append('certificate', new Blob([pemFromDer(der)], { type: 'application/x-pem-file' }), 'signer.pem');
    const res = await admin.postMultipart('/console/directory/demo-supplier/certificates', form);
    const html = await res.text();
    expect(res.status, html).toBe(201);
    expect(html).toContain('Console Upload');
    expect(html).toContain('EXPIRING_SOON');
    const bad = new FormData();
    bad.append('certificate', new Blob([Buffer.from('not a certificate')]), 'x.pem');
    const refused = await admin.postMultipart('/console/directory/demo-supplier/certificates', bad);
    expect(refused.status).toBe(422);
    expect(await refused.text()).toContain('CERTIFICATE_UNREADABLE');
    const dashboard = await (await admin.get('/console')).text();
    expect(dashboard).toContain('Console Upload');
    const fp = /action="\/console\/certificates\/([0-9a-f]{64})\/revoke"/u.exec(html)?.[1] ?? '';
    const revoke = await admin.post(`/console/certificates/${fp}/revoke`, { participantId: 'demo-supplier' });
    expect(revoke.status).toBe(303);
    const after = await (await admin.get('/console/directory/demo-supplier')).text();
    expect(after).not.toContain(`action="/console/certificates/${fp}/revoke"`);
  });
});

describe('tokens', () => {
  it('issues a token shown once, which then signs in, and revokes it', async () => {
    const res = await admin.post('/console/tokens', { participantId: 'gov-minobr', name: 'ЭДО Минобра', 'role-receive': 'on' });
    expect(res.status).toBe(201);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const html = await res.text();
    const token = /id="new-token" readonly size="80" value="(edx_[^"]+)"/u.exec(html)?.[1] ?? '';
    expect(token).toMatch(/^edx_[0-9a-f]{16}_/u);
    expect(await (await admin.get('/console/tokens')).text()).not.toContain(token);
    const inbox = await gw.app.request('/api/v1/inbox', { headers: auth(token) });
    expect(inbox.status).toBe(200);
    const id = /^edx_([0-9a-f]{16})_/u.exec(token)?.[1] ?? '';
    expect((await admin.post(`/console/tokens/${id}/revoke`, {})).status).toBe(303);
    expect((await gw.app.request('/api/v1/inbox', { headers: auth(token) })).status).toBe(401);
  });
});

describe('reports', () => {
  it('exports the discipline report as RFC 4180 CSV with a BOM and formula-guarded cells', async () => {
    const [overdue] = await send(['gov-minfin'], doc('D-1', '=HYPERLINK("http://evil.example","click")'));
    await send(['gov-minfin'], { ...doc('D-2', 'Обращение, с "кавычками"', 'appeal') });
    const saved = gw.clock.now;
    try {
      gw.clock.now = new Date(saved.getTime() + 11 * 86_400_000);
      // Eleven days later the earlier session has long expired.
      const admin = await signIn(gw, gw.adminToken);
      const page = await (await admin.get('/console/reports/discipline')).text();
      expect(page).toContain('discipline-chart');
      const res = await admin.get('/console/reports/discipline.csv');
      expect(res.headers.get('content-type')).toContain('text/csv');
      expect(res.headers.get('content-disposition')).toMatch(/attachment; filename="discipline-\d{4}-\d{2}-\d{2}\.csv"/u);
      const { bom, rows } = pythonCsv(new Uint8Array(await res.arrayBuffer()));
      expect(bom).toBe(true);
      expect(rows[0]?.[2]).toBe('Рег. номер');
      const d1 = rows.find((r) => r[2] === 'D-1');
      expect(d1?.[4]).toBe('\'=HYPERLINK("http://evil.example","click")');
      expect(d1?.[10]).toBe('overdue');
      expect(d1?.[11]).toBe(overdue);
      // The appeal has 30 days: not due yet, so not listed.
      expect(rows.some((r) => r[2] === 'D-2')).toBe(false);
      // Every letter listed is overdue or due within 3 days and still awaiting an answer.
      for (const r of rows.slice(1)) expect(['overdue', 'due']).toContain(r[10]);
    } finally {
      gw.clock.now = saved;
    }
  });

  it('exports the delivery report per recipient, matching the page', async () => {
    // The previous test's sign-in, eleven days on, swept the earlier sessions as expired.
    const admin = await signIn(gw, gw.adminToken);
    const page = await (await admin.get('/console/reports/delivery?from=2026-11-01&to=2026-11-30')).text();
    expect(page).toContain('delivery-chart');
    const res = await admin.get('/console/reports/delivery.csv?from=2026-11-01&to=2026-11-30');
    const { bom, rows } = pythonCsv(new Uint8Array(await res.arrayBuffer()));
    expect(bom).toBe(true);
    expect(rows[0]).toEqual(['Получатель', 'Наименование', 'ИНН', 'Отправлено', 'Доставлено', 'Не доставлено', 'Среднее время доставки, с', 'Наибольшее время доставки, с']);
    const minobr = rows.find((r) => r[0] === 'gov-minobr');
    expect(Number(minobr?.[3])).toBeGreaterThanOrEqual(52);
    const total = rows.slice(1).reduce((s, r) => s + Number(r[3]), 0);
    expect(page).toContain(`<strong>${total}</strong>`);
    // A participant's report counts only its own letters.
    const supplier = await signIn(gw, tokenOf(gw, 'demo-supplier'));
    const own = pythonCsv(new Uint8Array(await (await supplier.get('/console/reports/delivery.csv?from=2026-11-01&to=2026-11-30')).arrayBuffer()));
    expect(own.rows.slice(1).reduce((s, r) => s + Number(r[3]), 0)).toBe(0);
  });
});
