/**
 * The CRL cache against `openssl ca -gencrl` CRLs served on loopback: refresh timing (80% of the
 * CRL's interval, never more often than the minimum), verification before replacement (a CRL
 * signed by an impostor key or an older CRL never evicts the good one), the copy on disk that a
 * new cache (a restart) reads, and distribution points outside the allow-list never contacted.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOpensslPki, startLoopbackServer, type LoopbackServer, type OpensslPki } from '../crypto/revocation/test-support.ts';
import { createCrlCache, crlTargetsOf, type CrlCacheOptions } from './crl-cache.ts';

let srv: LoopbackServer;
let pki: OpensslPki;
let dir: string;
let served: () => Buffer;
let hits = 0;

beforeAll(async () => {
  srv = await startLoopbackServer();
  pki = createOpensslPki(srv.baseUrl);
  served = () => pki.gencrl();
  srv.handler = (path) => {
    if (path !== '/ca.crl') return { status: 404, body: Buffer.alloc(0) };
    hits += 1;
    return { status: 200, body: served() };
  };
  dir = await mkdtemp(join(tmpdir(), 'edx-crl-cache-'));
});
afterAll(async () => {
  await srv.close();
  pki.cleanup();
  await rm(dir, { recursive: true, force: true });
});

const MINUTE = 60_000;

function options(cacheDir: string, allowHosts: string[] = ['127.0.0.1']): CrlCacheOptions {
  return {
    dir: cacheDir,
    network: { fetch: globalThis.fetch, allowHosts, timeoutMs: 5_000, maxBytes: 1024 * 1024 },
    minRefreshMs: 15 * MINUTE,
    // Longer than the CRLs' 7 days, so that the 80% rule decides here (the default re-fetches daily).
    maxRefreshMs: 30 * 86_400_000,
    targets: () => crlTargetsOf([pki.ca.der, pki.good.der, pki.revoked.der]),
  };
}

describe('crlTargetsOf', () => {
  it('finds each http distribution point once, with the issuer that signed the certificate', () => {
    const targets = crlTargetsOf([pki.good.der, pki.ca.der, pki.revoked.der]);
    expect(targets.map((t) => t.url)).toEqual([`${srv.baseUrl}/ca.crl`]);
    expect(targets[0]?.issuer?.equals(pki.ca.der)).toBe(true);
    // Without its issuer the CRL could not be verified (and the certificate has no path): not a target,
    // so /readyz/revocation is not held at 503 by a certificate nobody can validate anyway.
    expect(crlTargetsOf([pki.good.der])).toEqual([]);
  });
});

describe('createCrlCache', () => {
  it('fetches, verifies and keeps the CRL; refreshes at 80% of its interval and at most every minRefreshMs', async () => {
    const cacheDir = join(dir, 'schedule');
    const cache = createCrlCache(options(cacheDir));
    const t0 = new Date();
    const before = hits;
    expect((await cache.refresh(t0)).fetched.length).toBe(1);
    expect(cache.crls().length).toBe(1);
    const [state] = cache.state(t0);
    expect(state?.stale).toBe(false);
    expect(state?.lastError).toBeNull();
    // default_crl_days = 7: due at 80% = 5.6 days after thisUpdate.
    const thisUpdate = Date.parse(state?.thisUpdate ?? '');
    expect(Date.parse(state?.refreshAt ?? '')).toBe(thisUpdate + Math.floor(7 * 86_400_000 * 0.8));
    expect((await cache.refresh(new Date(t0.getTime() + 86_400_000))).fetched).toEqual([]);
    expect(hits - before).toBe(1);
    expect((await cache.refresh(new Date(thisUpdate + 6 * 86_400_000))).fetched.length).toBe(1);
    expect(hits - before).toBe(2);

    const files = (await readdir(cacheDir)).filter((f) => f.endsWith('.crl'));
    expect(files.length).toBe(1);
    expect(files.some((f) => f.endsWith('.tmp'))).toBe(false);
    const onDisk = join(cacheDir, files[0] ?? '');
    const verified = spawnSync('openssl', ['crl', '-inform', 'DER', '-in', onDisk, '-CAfile', pki.ca.certPath, '-noout'], { encoding: 'utf8' });
    expect(verified.stderr).toContain('verify OK');
    const restarted = createCrlCache(options(cacheDir));
    await restarted.load();
    expect(restarted.crls()).toEqual([await readFile(onDisk)]);
  });

  it('keeps the good CRL when the distribution point serves one with a bad signature, and retries after minRefreshMs', async () => {
    const cache = createCrlCache(options(join(dir, 'impostor')));
    const t0 = new Date();
    await cache.refresh(t0);
    const good = cache.crls()[0];
    served = () => pki.gencrl({ impostor: true });
    try {
      const due = new Date(t0.getTime() + 6 * 86_400_000);
      const r = await cache.refresh(due);
      expect(r.failed[0]?.error).toContain('CRL signature');
      expect(cache.crls()).toEqual([good]);
      expect(cache.state(due)[0]?.lastError).toContain('not usable');
      // A failure is retried after minRefreshMs, not at every tick.
      expect(Date.parse(cache.state(due)[0]?.refreshAt ?? '')).toBe(due.getTime() + 15 * MINUTE);
      const before = hits;
      expect((await cache.refresh(new Date(due.getTime() + MINUTE))).failed).toEqual([]);
      expect(hits).toBe(before);
    } finally {
      served = () => pki.gencrl();
    }
  });

  it('goes stale when the distribution point stays down past nextUpdate', async () => {
    const cache = createCrlCache(options(join(dir, 'stale')));
    const t0 = new Date();
    await cache.refresh(t0);
    const later = new Date(t0.getTime() + 8 * 86_400_000);
    srv.handler = () => ({ status: 503, body: Buffer.alloc(0) });
    try {
      const r = await cache.refresh(later);
      expect(r.failed[0]?.error).toContain('HTTP_STATUS');
      expect(cache.state(later)[0]?.stale).toBe(true);
      expect(cache.crls().length).toBe(1); // the old CRL stays; checkCrl refuses it as stale
    } finally {
      srv.handler = (path) => (path === '/ca.crl' ? { status: 200, body: served() } : { status: 404, body: Buffer.alloc(0) });
    }
  });

  it('never contacts a distribution point whose host is not allowed', async () => {
    let contacted = 0;
    const cache = createCrlCache({ ...options(join(dir, 'closed'), ['crl.example.invalid']), network: { fetch: (url, init) => ((contacted += 1), globalThis.fetch(url, init)), allowHosts: ['crl.example.invalid'], timeoutMs: 5_000, maxBytes: 1024 * 1024 } });
    const r = await cache.refresh(new Date());
    expect(r.failed[0]?.error).toContain('NOT_ALLOWED');
    expect(contacted).toBe(0);
    expect(cache.state(new Date())[0]?.stale).toBe(true);
  });
});
