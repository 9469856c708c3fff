import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fetchRevocationData } from './fetch.ts';
import { buildOcspRequest, checkOcspResponse } from './ocsp.ts';
import { createOpensslPki, openssl, startLoopbackServer, type Identity, type LoopbackServer, type OpensslPki } from './test-support.ts';

describe('OCSP against a one-shot openssl ocsp responder on loopback', () => {
  let server: LoopbackServer;
  let pki: OpensslPki;
  let signer: 'responder' | 'rogue' | 'ca' = 'responder';
  let nmin: number | undefined;
  beforeAll(async () => {
    server = await startLoopbackServer();
    pki = createOpensslPki(server.baseUrl);
    pki.revoke(pki.revoked);
    server.handler = (path, body) =>
      path === '/ocsp' ? { status: 200, body: pki.ocspRespond(body, { signer, ...(nmin === undefined ? {} : { nmin }) }), type: 'application/ocsp-response' } : { status: 404, body: Buffer.alloc(0) };
  });
  afterAll(async () => {
    await server.close();
    pki.cleanup();
  });

  async function ask(cert: Identity, hash: 'sha1' | 'sha256' = 'sha1'): Promise<{ der: Buffer; nonce: Buffer }> {
    const nonce = Buffer.alloc(32, 0x5a);
    const req = buildOcspRequest({ certificate: cert.der, issuer: pki.ca.der, nonce, hash });
    if (!req.ok) throw new Error(req.error.message);
    const res = await fetchRevocationData({ url: `${server.baseUrl}/ocsp`, kind: 'ocsp', body: req.value, allowHosts: ['127.0.0.1'], timeoutMs: 10_000, maxBytes: 65_536, fetch });
    if (!res.ok) throw new Error(res.error.message);
    return { der: res.value, nonce };
  }
  const check = (cert: Identity, der: Buffer, nonce?: Buffer, now = new Date()) =>
    checkOcspResponse({ responseDer: der, certificate: cert.der, issuer: pki.ca.der, now, maxAgeSeconds: 300, ...(nonce === undefined ? {} : { nonce }) });

  it('openssl parses our request and finds the CertID (SHA-1 and SHA-256)', () => {
    for (const hash of ['sha1', 'sha256'] as const) {
      const req = buildOcspRequest({ certificate: pki.good.der, issuer: pki.ca.der, nonce: Buffer.alloc(32, 1), hash });
      if (!req.ok) throw new Error(req.error.message);
      writeFileSync(join(pki.dir, 'req.der'), req.value);
      const text = openssl(['ocsp', '-reqin', join(pki.dir, 'req.der'), '-req_text']).toString();
      expect(text).toContain(hash === 'sha1' ? 'Hash Algorithm: sha1' : 'Hash Algorithm: sha256');
      expect(text).toContain('OCSP Nonce');
      expect(text).toContain(`Serial Number: ${openssl(['x509', '-in', pki.good.certPath, '-noout', '-serial']).toString().trim().replace('serial=', '')}`);
    }
  });

  it('good (SHA-1 and SHA-256 CertIDs)', async () => {
    for (const hash of ['sha1', 'sha256'] as const) {
      const { der, nonce } = await ask(pki.good, hash);
      const r = check(pki.good, der, nonce);
      expect(r.problems).toEqual([]);
      expect(r.status).toBe('good');
      expect(r.responderCertificate?.equals(pki.ocspResponder.der)).toBe(true);
    }
  });

  it('revoked, with revocationTime and reason', async () => {
    const { der, nonce } = await ask(pki.revoked);
    const r = check(pki.revoked, der, nonce);
    expect(r.status).toBe('revoked');
    expect(r.reason).toBe('keyCompromise');
    expect(r.revokedAt).toBeInstanceOf(Date);
  });

  it('unknown stays unknown (not revoked, as pkijs would say)', async () => {
    const { der, nonce } = await ask(pki.notInIndex);
    const r = check(pki.notInIndex, der, nonce);
    expect(r.problems).toEqual([]);
    expect(r.responderStatus).toBe('unknown');
    expect(r.status).toBe('unknown');
  });

  it('a response signed by the CA itself is authorised', async () => {
    signer = 'ca';
    try {
      const { der, nonce } = await ask(pki.good);
      expect(check(pki.good, der, nonce).status).toBe('good');
    } finally {
      signer = 'responder';
    }
  });

  it('a responder certificate without id-kp-OCSPSigning is not authorised', async () => {
    signer = 'rogue';
    try {
      const { der, nonce } = await ask(pki.good);
      const r = check(pki.good, der, nonce);
      expect(r.responderStatus).toBe('good');
      expect(r.status).toBe('unknown');
      expect(r.problems.join(' ')).toMatch(/OCSPSigning/u);
      // Configuring it as a trusted responder is the RFC 6960 §4.2.2.2 way to accept it.
      const trusted = checkOcspResponse({ responseDer: der, certificate: pki.good.der, issuer: pki.ca.der, now: new Date(), maxAgeSeconds: 300, nonce, trustedResponders: [pki.rogueResponder.der] });
      expect(trusted.status).toBe('good');
    } finally {
      signer = 'responder';
    }
  });

  it('a stale response (-nmin 1, checked 5 minutes later) is refused', async () => {
    nmin = 1;
    try {
      const { der, nonce } = await ask(pki.good);
      expect(check(pki.good, der, nonce).status).toBe('good');
      const r = check(pki.good, der, nonce, new Date(Date.now() + 5 * 60_000));
      expect(r.status).toBe('unknown');
      expect(r.problems.join(' ')).toMatch(/stale/u);
    } finally {
      nmin = undefined;
    }
  });

  it('a tampered signature, a wrong nonce, and a response about another certificate are refused', async () => {
    const { der, nonce } = await ask(pki.good);
    const tampered = Buffer.from(der);
    tampered[tampered.length - 700] = (tampered[tampered.length - 700] ?? 0) ^ 0x01;
    expect(check(pki.good, tampered, nonce).status).toBe('unknown');
    expect(check(pki.good, der, Buffer.alloc(32, 0x11)).problems.join(' ')).toMatch(/nonce/u);
    expect(check(pki.revoked, der, nonce).problems.join(' ')).toMatch(/CertID/u);
  });
});
