/**
 * RFC 6960 §4.2.2.2.1: a delegated OCSP responder's own certificate is checked for revocation
 * unless it carries id-pkix-ocsp-nocheck. Real components: `openssl ocsp` signing with responders
 * issued by `openssl ca` (one with `noCheck = ignored`, one without), `openssl ca -gencrl`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkRevocation, type NetworkAccess } from './check-chain.ts';
import { readCertificate } from './certificate-facts.ts';
import { createOpensslPki, openssl, startLoopbackServer, type LoopbackServer, type OpensslPki } from './test-support.ts';

let server: LoopbackServer;
let pki: OpensslPki;
const state: { signer: 'responder' | 'checked'; responderCrl: boolean; hits: string[] } = { signer: 'checked', responderCrl: true, hits: [] };

beforeAll(async () => {
  server = await startLoopbackServer();
  pki = createOpensslPki(server.baseUrl);
  server.handler = (path, body) => {
    state.hits.push(path);
    // The leaf's own distribution point does not answer, so OCSP decides it.
    if (path === '/responder.crl' && state.responderCrl) return { status: 200, body: pki.gencrl(), type: 'application/pkix-crl' };
    if (path === '/ocsp') return { status: 200, body: pki.ocspRespond(body, { signer: state.signer }), type: 'application/ocsp-response' };
    return { status: 404, body: Buffer.alloc(0) };
  };
});
afterAll(async () => {
  await server.close();
  pki.cleanup();
});

const network = (): NetworkAccess => ({ fetch, allowHosts: [server.host], timeoutMs: 10_000, maxBytes: 1 << 20 });
const chain = () => [{ certificate: pki.good.der, issuer: pki.ca.der }];

describe('delegated OCSP responders (RFC 6960 §4.2.2.2.1)', () => {
  it('openssl marks the responders as expected (the independent reading of the extension)', () => {
    const text = (path: string) => openssl(['x509', '-in', path, '-noout', '-text']).toString();
    expect(text(pki.ocspResponder.certPath)).toContain('OCSP No Check');
    expect(text(pki.checkedResponder.certPath)).not.toContain('OCSP No Check');
    expect(readCertificate(pki.ocspResponder.der)?.ocspNoCheck).toBe(true);
    expect(readCertificate(pki.checkedResponder.der)?.ocspNoCheck).toBe(false);
  });

  it('with id-pkix-ocsp-nocheck the responder certificate is not checked: no CRL fetched for it', async () => {
    state.signer = 'responder';
    state.hits.length = 0;
    const r = await checkRevocation({ chain: chain(), sources: { crls: [], network: network() }, at: new Date(), now: new Date() });
    expect(r.status).toBe('good');
    expect(state.hits).toEqual(['/ca.crl', '/ocsp']);
  });

  it('without it, the responder certificate is checked against its CRL; good -> the response is used', async () => {
    state.signer = 'checked';
    state.hits.length = 0;
    const r = await checkRevocation({ chain: chain(), sources: { crls: [], network: network() }, at: new Date(), now: new Date() });
    expect(r.status).toBe('good');
    expect(r.certificates[0]?.source).toBe('ocsp');
    expect(state.hits).toEqual(['/ca.crl', '/ocsp', '/responder.crl']);
    expect(r.evidence.crls.length).toBe(1); // the CRL that cleared the responder is kept too
  });

  it('without it and with no way to learn its status, local policy uses the response and says so', async () => {
    state.signer = 'checked';
    state.responderCrl = false;
    try {
      const r = await checkRevocation({ chain: chain(), sources: { crls: [], network: network() }, at: new Date(), now: new Date() });
      expect(r.status).toBe('good');
      expect(r.certificates[0]?.problems.join(' ')).toMatch(/lacks id-pkix-ocsp-nocheck and its own revocation status could not be established.*local policy/u);
    } finally {
      state.responderCrl = true;
    }
  });

  it('a revoked responder certificate makes its responses worthless', async () => {
    state.signer = 'checked';
    pki.revokeAt(pki.checkedResponder, new Date(Date.now() - 60_000));
    const r = await checkRevocation({ chain: chain(), sources: { crls: [], network: network() }, at: new Date(), now: new Date() });
    expect(r.status).toBe('try-later');
    expect(r.certificates[0]?.problems.join(' ')).toMatch(/delegated responder certificate was revoked/u);
  });
});
