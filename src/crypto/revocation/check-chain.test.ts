import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkRevocation } from './check-chain.ts';
import { fetchRevocationData } from './fetch.ts';
import { createOpensslPki, startLoopbackServer, type LoopbackServer, type OpensslPki } from './test-support.ts';

describe('checkRevocation: CRL first, then OCSP from the AIA URL', () => {
  let server: LoopbackServer;
  let pki: OpensslPki;
  let crl: Buffer | null = null;
  const hits: string[] = [];
  beforeAll(async () => {
    server = await startLoopbackServer();
    pki = createOpensslPki(server.baseUrl);
    pki.revoke(pki.revoked);
    server.handler = (path, body) => {
      hits.push(path);
      if (path === '/ca.crl') return crl === null ? { status: 404, body: Buffer.alloc(0) } : { status: 200, body: crl };
      if (path === '/ocsp') return { status: 200, body: pki.ocspRespond(body) };
      return { status: 404, body: Buffer.alloc(0) };
    };
  });
  afterAll(async () => {
    await server.close();
    pki.cleanup();
  });
  const network = () => ({ fetch, allowHosts: ['127.0.0.1'], timeoutMs: 10_000, maxBytes: 1 << 20 });

  it('a CRL at hand decides without the network; the CRL is the evidence', async () => {
    const local = pki.gencrl();
    const r = await checkRevocation({ chain: [{ certificate: pki.good.der, issuer: pki.ca.der }], sources: { crls: [local] }, at: new Date(), now: new Date() });
    expect(r.status).toBe('good');
    expect(r.certificates[0]?.source).toBe('crl');
    expect(r.evidence.crls).toHaveLength(1);
    expect(r.evidence.crls[0]?.equals(local)).toBe(true);
  });

  it('fetches the CRL from the distribution point when none is at hand', async () => {
    crl = pki.gencrl();
    hits.length = 0;
    const r = await checkRevocation({ chain: [{ certificate: pki.revoked.der, issuer: pki.ca.der }], sources: { crls: [], network: network() }, at: new Date(), now: new Date() });
    expect(hits).toEqual(['/ca.crl']);
    expect(r.status).toBe('revoked');
    expect(r.reason).toBe('keyCompromise');
  });

  it('falls back to OCSP when the CRL is unavailable; revoked after `at` is good, at or before is revoked', async () => {
    crl = null;
    hits.length = 0;
    const first = await checkRevocation({ chain: [{ certificate: pki.revoked.der, issuer: pki.ca.der }], sources: { crls: [], network: network() }, at: new Date(), now: new Date() });
    expect(hits).toEqual(['/ca.crl', '/ocsp']);
    const revokedAt = first.certificates[0]?.revokedAt;
    expect(first.certificates[0]?.source).toBe('ocsp');
    expect(revokedAt).toBeInstanceOf(Date);
    const t = revokedAt?.getTime() ?? 0;
    const before = await checkRevocation({ chain: [{ certificate: pki.revoked.der, issuer: pki.ca.der }], sources: { crls: [], ocspResponses: first.evidence.ocsp }, at: new Date(t - 3_600_000), now: new Date() });
    expect(before.status).toBe('good');
    expect(before.certificates[0]?.status).toBe('revoked');
    const after = await checkRevocation({ chain: [{ certificate: pki.revoked.der, issuer: pki.ca.der }], sources: { crls: [], ocspResponses: first.evidence.ocsp }, at: new Date(t + 1000), now: new Date() });
    expect(after.status).toBe('revoked');
    expect(after.revokedAt?.getTime()).toBe(t);
  });

  it('OCSP unknown makes the chain try-later, never good', async () => {
    crl = null;
    const r = await checkRevocation({ chain: [{ certificate: pki.notInIndex.der, issuer: pki.ca.der }], sources: { crls: [], network: network() }, at: new Date(), now: new Date() });
    expect(r.certificates[0]?.status).toBe('unknown');
    expect(r.status).toBe('try-later');
  });

  it('a stale CRL at hand is not used; a forged CRL at hand is not used', async () => {
    crl = null;
    // Stale at the time asked for (the best signature time): 8 days later, past nextUpdate (7 days).
    const later = new Date(Date.now() + 8 * 86_400_000);
    const issued = pki.gencrl();
    const stale = await checkRevocation({ chain: [{ certificate: pki.good.der, issuer: pki.ca.der }], sources: { crls: [issued] }, at: later, now: later });
    expect(stale.status).toBe('try-later');
    expect(stale.certificates[0]?.problems.join(' ')).toMatch(/stale/u);
    // The same CRL was current at an earlier best signature time: it still proves the status then (ETSI EN 319 102-1 §5.2.5).
    const past = await checkRevocation({ chain: [{ certificate: pki.good.der, issuer: pki.ca.der }], sources: { crls: [issued] }, at: new Date(), now: later });
    expect(past.status).toBe('good');
    const forged = await checkRevocation({ chain: [{ certificate: pki.revoked.der, issuer: pki.ca.der }], sources: { crls: [pki.gencrl({ impostor: true })] }, at: new Date(), now: new Date() });
    expect(forged.status).toBe('try-later');
  });

  it('offline with nothing at hand is try-later', async () => {
    const r = await checkRevocation({ chain: [{ certificate: pki.good.der, issuer: pki.ca.der }], sources: { crls: [] }, at: new Date(), now: new Date() });
    expect(r.status).toBe('try-later');
  });

  it('a host outside the allow-list is not contacted', async () => {
    hits.length = 0;
    const r = await checkRevocation({ chain: [{ certificate: pki.good.der, issuer: pki.ca.der }], sources: { crls: [], network: { ...network(), allowHosts: ['ocsp.example'] } }, at: new Date(), now: new Date() });
    expect(hits).toEqual([]);
    expect(r.status).toBe('try-later');
    expect(r.certificates[0]?.problems.join(' ')).toMatch(/NOT_ALLOWED/u);
  });

  it('responder down (port closed) is try-later', async () => {
    await server.close();
    const r = await checkRevocation({ chain: [{ certificate: pki.good.der, issuer: pki.ca.der }], sources: { crls: [], network: network() }, at: new Date(), now: new Date() });
    expect(r.status).toBe('try-later');
    expect(r.certificates[0]?.problems.join(' ')).toMatch(/NETWORK/u);
    const direct = await fetchRevocationData({ url: `${server.baseUrl}/ocsp`, kind: 'ocsp', body: Buffer.of(0x30, 0), allowHosts: ['127.0.0.1'], timeoutMs: 5000, maxBytes: 100, fetch });
    expect(direct.ok ? 'ok' : direct.error.code).toBe('NETWORK');
  });
});
