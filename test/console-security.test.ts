/** Web console security: sign-in and sessions, cookie flags, CSRF, security headers, escaping, authorization. */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tables } from '../src/db/index.ts';
import { newParticipant } from './helpers/admin-pki.ts';
import { rawPost, signIn, submitLogin, hiddenValue } from './helpers/console-client.ts';
import { auth, letterForm, startTestGateway, tokenOf, type TestGateway } from './helpers/gateway.ts';

let gw: TestGateway;
let sentByRefinery = '';
let sentBySupplier = '';

beforeAll(async () => {
  gw = await startTestGateway();
  const a = await gw.app.request('/api/v1/messages', { method: 'POST', body: letterForm({ to: ['gov-minprom'] }), headers: auth(tokenOf(gw, 'demo-refinery')) });
  sentByRefinery = ((await a.json()) as { messages: { id: string }[] }).messages[0]?.id ?? '';
  const b = await gw.app.request('/api/v1/messages', { method: 'POST', body: letterForm({ to: ['gov-minfin'] }), headers: auth(tokenOf(gw, 'demo-supplier')) });
  sentBySupplier = ((await b.json()) as { messages: { id: string }[] }).messages[0]?.id ?? '';
  expect(sentByRefinery).not.toBe('');
  expect(sentBySupplier).not.toBe('');
});
afterAll(async () => {
  await gw.dispose();
});

describe('sign-in and sessions', () => {
  it('refuses a wrong token with 401 and sets no session', async () => {
    const res = await submitLogin(gw, 'edx_0000000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
    expect(res.status).toBe(401);
    expect(res.headers.get('set-cookie') ?? '').not.toContain('edx_session=');
    expect(await res.text()).toContain('Токен недействителен');
  });

  it('sets an HttpOnly, SameSite=Strict, Path=/console session cookie, stored only as its SHA-256', async () => {
    const res = await submitLogin(gw, gw.adminToken);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/console');
    const cookie = (res.headers.get('set-cookie') ?? '').split(/,(?=\s*edx_)/u).find((c) => c.trim().startsWith('edx_session=')) ?? '';
    expect(cookie).toMatch(/HttpOnly/iu);
    expect(cookie).toMatch(/SameSite=Strict/iu);
    expect(cookie).toMatch(/Path=\/console(;|$)/u);
    expect(cookie).not.toMatch(/Secure/iu);
    const id = /edx_session=([^;]+)/u.exec(cookie)?.[1] ?? '';
    expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/u);
    const rows = gw.ctx.db.select().from(tables.consoleSessions).all();
    expect(rows.some((r) => r.idHash === createHash('sha256').update(id).digest('hex'))).toBe(true);
    expect(rows.some((r) => r.idHash === id)).toBe(false);
  });

  it('marks the cookie Secure when the console is served over https', async () => {
    const res = await submitLogin(gw, gw.adminToken, 'https://console.example');
    expect(res.status).toBe(303);
    expect(res.headers.get('set-cookie') ?? '').toMatch(/edx_session=[^;]+;.*Secure/iu);
  });

  it('refuses a sign-in form without the login CSRF cookie', async () => {
    const res = await rawPost(gw, '/console/login', new URLSearchParams({ token: gw.adminToken, _csrf: 'x'.repeat(43) }));
    expect(res.status).toBe(403);
  });

  it('logout deletes the session server-side', async () => {
    const client = await signIn(gw, gw.adminToken);
    expect((await client.get('/console')).status).toBe(200);
    const out = await client.post('/console/logout', {});
    expect(out.status).toBe(303);
    expect(out.headers.get('location')).toBe('/console/login');
    const hash = createHash('sha256').update(client.sessionId).digest('hex');
    expect(gw.ctx.db.select().from(tables.consoleSessions).all().some((r) => r.idHash === hash)).toBe(false);
    const after = await client.get('/console');
    expect(after.status).toBe(303);
    expect(after.headers.get('location')).toBe('/console/login');
  });

  it('ends the session when its token is revoked', async () => {
    const issued = await gw.app.request('/api/v1/admin/tokens', {
      method: 'POST',
      headers: { ...auth(gw.adminToken), 'content-type': 'application/json' },
      body: JSON.stringify({ participantId: 'demo-supplier', name: 'short-lived', roles: ['send'] }),
    });
    const { token, id } = (await issued.json()) as { token: string; id: string };
    const client = await signIn(gw, token);
    expect((await client.get('/console/messages')).status).toBe(200);
    await gw.app.request(`/api/v1/admin/tokens/${id}/revoke`, { method: 'POST', headers: auth(gw.adminToken) });
    expect((await client.get('/console/messages')).status).toBe(303);
  });

  it('expires a session after its lifetime', async () => {
    const client = await signIn(gw, gw.adminToken);
    const saved = gw.clock.now;
    try {
      gw.clock.now = new Date(saved.getTime() + 9 * 3_600_000);
      expect((await client.get('/console')).status).toBe(303);
    } finally {
      gw.clock.now = saved;
    }
  });

  it('redirects to sign-in without a session, and refuses a POST with 403', async () => {
    const res = await gw.app.request('/console/messages');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/console/login');
    const post = await rawPost(gw, '/console/settings', new URLSearchParams({ lang: 'en', tz: 'UTC' }));
    expect(post.status).toBe(403);
  });
});

describe('CSRF', () => {
  it('refuses a POST with a missing or wrong synchronizer token (403), accepts the right one', async () => {
    const client = await signIn(gw, gw.adminToken);
    const missing = await rawPost(gw, '/console/settings', new URLSearchParams({ lang: 'en', tz: 'UTC' }), { cookie: client.cookie });
    expect(missing.status).toBe(403);
    const wrong = await client.post('/console/settings', { lang: 'en', tz: 'UTC', _csrf: 'A'.repeat(43) });
    expect(wrong.status).toBe(403);
    const other = await signIn(gw, gw.adminToken);
    const foreign = await client.post('/console/settings', { lang: 'en', tz: 'UTC', _csrf: await other.csrf() });
    expect(foreign.status, 'another session\'s token').toBe(403);
    const right = await client.post('/console/settings', { lang: 'en', tz: 'UTC' });
    expect(right.status).toBe(303);
  });

  it('refuses cross-site requests by Sec-Fetch-Site and Origin even with the right token', async () => {
    const client = await signIn(gw, gw.adminToken);
    expect((await client.post('/console/settings', { lang: 'en', tz: 'UTC' }, { 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect((await client.post('/console/settings', { lang: 'en', tz: 'UTC' }, { origin: 'https://evil.example' })).status).toBe(403);
    expect((await client.post('/console/settings', { lang: 'en', tz: 'UTC' }, { origin: 'http://localhost', 'sec-fetch-site': 'same-origin' })).status).toBe(303);
  });

  it('refuses a token revocation posted without the token, leaving the token valid', async () => {
    const client = await signIn(gw, gw.adminToken);
    const tokenId = /^edx_([0-9a-f]{16})_/u.exec(tokenOf(gw, 'gov-minobr'))?.[1] ?? '';
    const res = await rawPost(gw, `/console/tokens/${tokenId}/revoke`, new URLSearchParams({}), { cookie: client.cookie });
    expect(res.status).toBe(403);
    const inbox = await gw.app.request('/api/v1/inbox', { headers: auth(tokenOf(gw, 'gov-minobr')) });
    expect(inbox.status).toBe(200);
  });
});

describe('security headers', () => {
  it('sends CSP without unsafe-inline, frame denial, referrer policy and nosniff on every page', async () => {
    const client = await signIn(gw, gw.adminToken);
    for (const res of [await gw.app.request('/console/login'), await client.get('/console'), await client.get('/console/messages')]) {
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("default-src 'none'");
      expect(csp).not.toContain('unsafe-inline');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('same-origin');
    }
    const html = await (await client.get('/console')).text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/u);
    expect(html).not.toMatch(/\son[a-z]+=/u);
  });
});

describe('escaping', () => {
  it('shows a participant named <script>alert(1)</script> as text on every page that names it', async () => {
    const body = newParticipant({ name: '<script>alert(1)</script>', shortName: '"><img src=x onerror=alert(2)>' });
    const created = await gw.app.request('/api/v1/admin/participants', { method: 'POST', headers: { ...auth(gw.adminToken), 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(created.status).toBe(201);
    const id = String(body.id);
    const client = await signIn(gw, gw.adminToken);
    const pages = [
      await (await client.get(`/console/directory?q=${encodeURIComponent(String(body.inn))}`)).text(),
      await (await client.get(`/console/directory/${id}`)).text(),
    ];
    for (const html of pages) {
      expect(html).not.toContain('<script>alert(1)</script>');
      expect(html).not.toContain('<img src=x');
      expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    }
    const sender = await signIn(gw, tokenOf(gw, 'demo-refinery'));
    const compose = await (await sender.get(`/console/compose?q=${String(body.inn)}`)).text();
    expect(compose).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(compose).not.toContain('<script>alert(1)</script>');
  });

  it('escapes a message subject and search text echoed back', async () => {
    const res = await gw.app.request('/api/v1/messages', {
      method: 'POST',
      body: letterForm({ to: ['gov-minobr'], document: { kind: 'letter', regNumber: 'X-1', regDate: '2026-11-24', subject: '<b onmouseover="alert(3)">bold</b>', signatory: { name: 'Иванов И. И.', position: 'Директор' } } }),
      headers: auth(tokenOf(gw, 'demo-refinery')),
    });
    expect(res.status).toBe(202);
    const id = ((await res.json()) as { messages: { id: string }[] }).messages[0]?.id ?? '';
    const client = await signIn(gw, gw.adminToken);
    const list = await (await client.get(`/console/messages?subject=${encodeURIComponent('"><svg onload=alert(4)>')}`)).text();
    expect(list).not.toContain('<svg onload');
    expect(list).toContain('&quot;&gt;&lt;svg onload=alert(4)&gt;');
    const page = await (await client.get(`/console/messages/${id}`)).text();
    expect(page).not.toContain('<b onmouseover');
    expect(page).toContain('&lt;b onmouseover=&quot;alert(3)&quot;&gt;bold&lt;/b&gt;');
  });
});

describe('authorization', () => {
  it('lets a participant see its own messages and not others\' (404, no existence oracle)', async () => {
    const supplier = await signIn(gw, tokenOf(gw, 'demo-supplier'));
    expect((await supplier.get(`/console/messages/${sentBySupplier}`)).status).toBe(200);
    const other = await supplier.get(`/console/messages/${sentByRefinery}`);
    expect(other.status).toBe(404);
    expect((await supplier.get(`/console/messages/${sentByRefinery}/container`)).status).toBe(404);
    const list = await (await supplier.get('/console/messages')).text();
    expect(list).toContain(`/console/messages/${sentBySupplier}`);
    expect(list).not.toContain(`/console/messages/${sentByRefinery}`);
    // The recipient sees it too.
    const minprom = await signIn(gw, tokenOf(gw, 'gov-minprom'));
    expect((await minprom.get(`/console/messages/${sentByRefinery}`)).status).toBe(200);
  });

  it('lets an administrator see every message and download its container', async () => {
    const admin = await signIn(gw, gw.adminToken);
    const list = await (await admin.get('/console/messages')).text();
    expect(list).toContain(`/console/messages/${sentBySupplier}`);
    expect(list).toContain(`/console/messages/${sentByRefinery}`);
    const zip = await admin.get(`/console/messages/${sentByRefinery}/container`);
    expect(zip.status).toBe(200);
    expect(zip.headers.get('content-type')).toBe('application/zip');
    const bytes = new Uint8Array(await zip.arrayBuffer());
    expect([...bytes.slice(0, 4)]).toEqual([0x50, 0x4b, 0x03, 0x04]);
  });

  it('keeps administrator pages and actions from participants (403)', async () => {
    const supplier = await signIn(gw, tokenOf(gw, 'demo-supplier'));
    expect((await supplier.get('/console/tokens')).status).toBe(403);
    expect((await supplier.post('/console/tokens', { participantId: 'demo-supplier', name: 'mine', 'role-admin': 'on' })).status).toBe(403);
    expect((await supplier.post('/console/directory/demo-supplier', { name: 'Renamed' })).status).toBe(403);
    const fp = 'a'.repeat(64);
    expect((await supplier.post(`/console/certificates/${fp}/revoke`, {})).status).toBe(403);
    const page = await (await supplier.get('/console/directory/demo-supplier')).text();
    expect(page).not.toContain('action="/console/directory/demo-supplier"');
    const nav = await (await supplier.get('/console')).text();
    expect(nav).not.toContain('href="/console/tokens"');
  });

  it('keeps compose from a token without the send role', async () => {
    const admin = await signIn(gw, gw.adminToken);
    expect((await admin.get('/console/compose')).status).toBe(403);
  });
});

describe('sign-in page', () => {
  it('is Russian by default and English on request', async () => {
    const ru = await (await gw.app.request('/console/login')).text();
    expect(ru).toContain('<html lang="ru">');
    const en = await (await gw.app.request('/console/login?lang=en')).text();
    expect(en).toContain('<html lang="en">');
    expect(hiddenValue(en, 'lang')).toBe('en');
  });
});
