/**
 * The web console in real headless Chromium (Debian's, driven by playwright-core): sign in, find an
 * addressee by INN, send a letter from compose, see it in messages, open its timeline, upload a
 * certificate, revoke a token, export the discipline report as CSV. A screenshot of each page goes
 * to test-output/screenshots/ for a reviewer.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getParticipant } from '../../src/directory/index.ts';
import { devRoot, days, leafCertificate } from '../helpers/admin-pki.ts';
import { pemFromDer } from '../helpers/console-pem.ts';
import { auth, letterForm, startTestGateway, tokenOf, type TestGateway } from '../helpers/gateway.ts';

const CHROMIUM = '/usr/bin/chromium';
const SHOTS = resolve(import.meta.dirname, '..', '..', 'test-output', 'screenshots');

let gw: TestGateway;
let server: ServerType;
let base = '';
let browser: Browser;
let shot = 0;

async function screenshot(page: Page, name: string): Promise<void> {
  shot += 1;
  await page.screenshot({ path: join(SHOTS, `${String(shot).padStart(2, '0')}-${name}.png`), fullPage: true });
}

async function signIn(page: Page, token: string): Promise<void> {
  await page.goto(`${base}/console/login`);
  await page.getByLabel(/API-токен|API token/u).fill(token);
  await page.getByRole('button', { name: /Войти|Sign in/u }).click();
  await page.waitForURL(`${base}/console`);
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: the console's browser tests need Debian's chromium (apt-get install chromium; .ci/run installs it)`);
  }
  await mkdir(SHOTS, { recursive: true });
  gw = await startTestGateway();
  // A letter whose response is overdue, so the discipline report has something to show.
  const yesterday = new Date(gw.clock.now.getTime() - 86_400_000).toISOString().slice(0, 10);
  const res = await gw.app.request('/api/v1/messages', {
    method: 'POST',
    body: letterForm({ to: ['gov-minprom'], document: { kind: 'request', regNumber: 'ЗП-17', regDate: yesterday, subject: 'Запрос сведений о закупках', responseDue: yesterday, signatory: { name: 'Иванов Иван Иванович', position: 'Генеральный директор' } } }),
    headers: auth(tokenOf(gw, 'demo-refinery')),
  });
  expect(res.status).toBe(202);
  server = await new Promise<ServerType>((ok) => {
    const s = serve({ fetch: gw.app.fetch, port: 0, hostname: '127.0.0.1' }, () => ok(s));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
});

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((ok) => (server === undefined ? ok() : server.close(() => ok())));
  await gw?.dispose();
});

describe('the console in Chromium', () => {
  it('lets an enterprise send a letter and follow it, and an administrator run the directory, tokens and reports', async () => {
    const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 }, locale: 'ru-RU' });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });

    // Sign in as an enterprise (Russian by default).
    await page.goto(`${base}/console/login`);
    expect(await page.getAttribute('html', 'lang')).toBe('ru');
    await screenshot(page, 'login');
    await signIn(page, tokenOf(gw, 'demo-refinery'));
    await expect(page.locator('h1').textContent()).resolves.toBe('Сводка');
    await screenshot(page, 'dashboard-enterprise');

    // Find an addressee by INN in the directory.
    const minfin = getParticipant(gw.ctx.db, 'gov-minfin');
    if (minfin === undefined) throw new Error('gov-minfin missing');
    await page.goto(`${base}/console/directory`);
    await page.getByLabel('Наименование, ИНН или ОГРН').fill(minfin.inn);
    await page.getByRole('button', { name: 'Найти' }).click();
    await expect(page.locator('tbody tr').count()).resolves.toBe(1);
    await expect(page.locator('tbody tr th a').textContent()).resolves.toBe(minfin.name);
    await screenshot(page, 'directory-search-by-inn');

    // Compose: search as you type narrows the recipients (console.js), then sign and send.
    await page.goto(`${base}/console/compose`);
    await page.getByLabel(/Найти получателей/u).pressSequentially(minfin.inn);
    await expect(page.locator('#recipients li:not([hidden])').count()).resolves.toBe(1);
    await page.getByLabel(minfin.name, { exact: false }).check();
    await page.getByLabel('Регистрационный номер').fill('01-15/2318');
    await page.getByLabel('Тема').fill('О согласовании графика поставок');
    await page.getByLabel('Подписант (ФИО)').fill('Иванов Иван Иванович');
    await page.getByLabel('Должность подписанта').fill('Генеральный директор');
    await page.getByLabel('Файлы').setInputFiles({ name: 'Письмо.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.7\nписьмо\n') });
    await screenshot(page, 'compose');
    await page.getByRole('button', { name: 'Подписать и отправить' }).click();
    await expect(page.locator('h1').textContent()).resolves.toBe('Письмо отправлено');
    const messageId = (await page.locator('tbody a').first().textContent()) ?? '';
    expect(messageId).toMatch(/^[0-9a-f-]{36}$/u);
    await screenshot(page, 'compose-sent');

    // See it in messages, open its timeline.
    await page.getByRole('link', { name: 'Сообщения', exact: true }).first().click();
    await page.getByLabel('Регистрационный номер').fill('01-15/2318');
    await page.getByRole('button', { name: 'Найти' }).click();
    const row = page.locator('table.messages tbody tr', { hasText: 'О согласовании графика поставок' });
    await expect(row.count()).resolves.toBe(1);
    await screenshot(page, 'messages');
    await row.getByRole('link').click();
    await page.waitForURL(`${base}/console/messages/${messageId}`);
    await expect(page.locator('ol.timeline li').count()).resolves.toBeGreaterThanOrEqual(2);
    await expect(page.locator('ol.timeline').textContent()).resolves.toContain('message.accepted');
    await screenshot(page, 'message-timeline');
    await page.getByRole('button', { name: 'Выйти' }).click();
    await page.waitForURL(`${base}/console/login`);

    // The administrator: upload a certificate, revoke a token, export the discipline report.
    await signIn(page, gw.adminToken);
    await screenshot(page, 'dashboard-admin');
    await page.goto(`${base}/console/directory/demo-supplier`);
    const root = await devRoot(gw);
    const der = leafCertificate({ issuer: root, from: days(gw.clock.now, -1), to: days(gw.clock.now, 365), subject: { commonName: 'Браузерный тест', organization: 'ООО «Поставщик»' } });
    await page.getByLabel(/Файл сертификата/u).setInputFiles({ name: 'signer.pem', mimeType: 'application/x-pem-file', buffer: Buffer.from(pemFromDer(der)) });
    await page.getByRole('button', { name: 'Загрузить' }).click();
    await expect(page.locator('.flash').textContent()).resolves.toBe('Сертификат зарегистрирован.');
    await expect(page.locator('table').first().textContent()).resolves.toContain('Браузерный тест');
    await screenshot(page, 'participant-certificate-uploaded');

    await page.getByRole('link', { name: 'Токены' }).click();
    await page.getByLabel('Идентификатор участника').fill('gov-minobr');
    await page.getByLabel('Название токена').fill('ЭДО Минобра (тест)');
    await page.getByRole('button', { name: 'Выпустить' }).click();
    const token = await page.locator('#new-token').inputValue();
    expect(token).toMatch(/^edx_[0-9a-f]{16}_/u);
    await screenshot(page, 'token-issued');
    expect((await gw.app.request('/api/v1/inbox', { headers: auth(token) })).status).toBe(200);
    await page.locator('tr', { hasText: 'ЭДО Минобра (тест)' }).getByRole('button', { name: /Отозвать/u }).click();
    await expect(page.locator('.flash').textContent()).resolves.toBe('Токен отозван.');
    expect((await gw.app.request('/api/v1/inbox', { headers: auth(token) })).status).toBe(401);
    await screenshot(page, 'token-revoked');

    await page.getByRole('link', { name: 'Отчёт о доставке' }).click();
    await expect(page.locator('svg#delivery-chart').count()).resolves.toBe(1);
    await screenshot(page, 'report-delivery');
    await page.getByRole('link', { name: 'Исполнительская дисциплина' }).click();
    await expect(page.locator('svg#discipline-chart').count()).resolves.toBe(1);
    await screenshot(page, 'report-discipline');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Выгрузить CSV' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^discipline-\d{4}-\d{2}-\d{2}\.csv$/u);
    const csv = await readFile(await download.path());
    const parsed = JSON.parse(
      execFileSync('python3', ['-c', 'import csv,io,json,sys\nraw=sys.stdin.buffer.read()\nprint(json.dumps(list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""), strict=True))))'], { input: csv }).toString('utf8'),
    ) as string[][];
    expect([...csv.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(parsed.find((r) => r[2] === 'ЗП-17')?.[10]).toBe('overdue');

    // English and another time zone, then the same pages read in English.
    await page.getByRole('link', { name: 'Настройки' }).click();
    await page.getByLabel('Язык', { exact: true }).last().selectOption('en');
    await page.getByLabel('Часовой пояс').fill('Europe/Moscow');
    await page.locator('main').getByRole('button', { name: 'Сохранить' }).click();
    await expect(page.locator('h1').textContent()).resolves.toBe('Settings');
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    await screenshot(page, 'settings-english');
    await page.goto(`${base}/console/messages/${messageId}`);
    await screenshot(page, 'message-english');

    // Keyboard: the skip link is the first stop and lands on the main content.
    await page.keyboard.press('Tab');
    await expect(page.locator(':focus').textContent()).resolves.toBe('Skip to content');

    expect(errors, 'no console errors (CSP violations would show here)').toEqual([]);
    await context.close();
  });
});
