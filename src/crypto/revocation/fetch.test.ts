import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchRevocationData, isAllowedUrl } from './fetch.ts';

describe('fetchRevocationData limits', () => {
  let server: Server;
  let base = '';
  const sockets = new Set<import('node:net').Socket>();
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/big') {
        res.writeHead(200);
        res.end(Buffer.alloc(5000, 1));
      } else if (req.url === '/chunked') {
        res.writeHead(200);
        for (let i = 0; i < 10; i++) res.write(Buffer.alloc(1000, 2));
        res.end();
      } else if (req.url === '/hang') {
        res.writeHead(200);
        res.write(Buffer.alloc(10));
        // Never ends: the client's timeout must fire.
      } else if (req.url === '/redirect') {
        res.writeHead(302, { location: 'http://example.com/' });
        res.end();
      } else if (req.url === '/echo') {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          res.writeHead(200);
          res.end(Buffer.concat([Buffer.from(`${req.method ?? ''} ${req.headers['content-type'] ?? ''}|`), ...chunks]));
        });
      } else {
        res.writeHead(500);
        res.end();
      }
    });
    server.on('connection', (s) => sockets.add(s));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  });
  const get = (path: string, extra: { maxBytes?: number; timeoutMs?: number; body?: Buffer } = {}) =>
    fetchRevocationData({ url: `${base}${path}`, kind: extra.body === undefined ? 'crl' : 'ocsp', allowHosts: ['127.0.0.1'], timeoutMs: extra.timeoutMs ?? 5000, maxBytes: extra.maxBytes ?? 100_000, fetch, ...(extra.body === undefined ? {} : { body: extra.body }) });
  const code = (r: Awaited<ReturnType<typeof get>>) => (r.ok ? 'ok' : r.error.code);

  it('posts OCSP requests with the right content type and returns the bytes', async () => {
    const r = await get('/echo', { body: Buffer.from('abc') });
    expect(r.ok && r.value.toString()).toBe('POST application/ocsp-request|abc');
  });
  it('refuses bodies above the limit, declared or streamed', async () => {
    expect(code(await get('/big', { maxBytes: 4000 }))).toBe('TOO_LARGE');
    expect(code(await get('/chunked', { maxBytes: 4000 }))).toBe('TOO_LARGE');
    expect(code(await get('/chunked', { maxBytes: 10_000 }))).toBe('ok');
  });
  it('times out a body that never completes', async () => {
    expect(code(await get('/hang', { timeoutMs: 200 }))).toBe('TIMEOUT');
  });
  it('does not follow redirects and reports HTTP status', async () => {
    expect(code(await get('/redirect'))).toBe('HTTP_STATUS');
    expect(code(await get('/error'))).toBe('HTTP_STATUS');
  });
  it('refuses other hosts and schemes before any request', () => {
    expect(isAllowedUrl('http://127.0.0.1:8080/x', ['127.0.0.1'])).toBe(true);
    expect(isAllowedUrl('ldap://127.0.0.1/x', ['127.0.0.1'])).toBe(false);
    expect(isAllowedUrl('file:///etc/passwd', ['127.0.0.1'])).toBe(false);
    expect(isAllowedUrl('http://evil.example/x', ['127.0.0.1'])).toBe(false);
    expect(isAllowedUrl('http://user:pw@127.0.0.1/x', ['127.0.0.1'])).toBe(false);
  });
});
