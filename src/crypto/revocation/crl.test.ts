import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkCrl } from './crl.ts';
import { createOpensslPki, openssl, type OpensslPki } from './test-support.ts';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

describe('checkCrl against CRLs made by openssl ca -gencrl', () => {
  let pki: OpensslPki;
  let before: Buffer;
  let after: Buffer;
  beforeAll(() => {
    pki = createOpensslPki('http://127.0.0.1:9');
    before = pki.gencrl();
    pki.revoke(pki.revoked);
    after = pki.gencrl();
  });
  afterAll(() => pki.cleanup());

  it('reports good for a certificate not on the CRL, with thisUpdate/nextUpdate', () => {
    const r = checkCrl({ crlDer: after, certificate: pki.good.der, issuer: pki.ca.der, now: new Date() });
    expect(r.problems).toEqual([]);
    expect(r.status).toBe('good');
    expect(r.nextUpdate?.getTime()).toBeGreaterThan(r.thisUpdate?.getTime() ?? Infinity);
  });

  it('reports revoked with the time and reason openssl recorded', () => {
    const r = checkCrl({ crlDer: after, certificate: pki.revoked.der, issuer: pki.ca.der, now: new Date() });
    expect(r.status).toBe('revoked');
    expect(r.reason).toBe('keyCompromise');
    // openssl's own reading of the CRL is the oracle for the revocation date.
    writeFileSync(join(pki.dir, 'check.crl'), after);
    const text = openssl(['crl', '-inform', 'DER', '-in', join(pki.dir, 'check.crl'), '-noout', '-text']).toString();
    const m = /Revocation Date: (.+)/u.exec(text);
    expect(m?.[1]).toBeDefined();
    expect(r.revokedAt?.getTime()).toBe(new Date(m?.[1] ?? '').getTime());
  });

  it('the earlier CRL still says good for the later-revoked certificate', () => {
    expect(checkCrl({ crlDer: before, certificate: pki.revoked.der, issuer: pki.ca.der, now: new Date() }).status).toBe('good');
  });

  it('a stale CRL (now after nextUpdate) gives unknown with a problem, never good', () => {
    const r = checkCrl({ crlDer: after, certificate: pki.good.der, issuer: pki.ca.der, now: new Date(Date.now() + 8 * 86_400_000) });
    expect(r.status).toBe('unknown');
    expect(r.problems.join(' ')).toMatch(/stale/u);
  });

  it('a CRL with a short nextUpdate (-crlhours 1) is stale two hours later', () => {
    const crl = pki.gencrl({ hours: 1 });
    expect(checkCrl({ crlDer: crl, certificate: pki.good.der, issuer: pki.ca.der, now: new Date() }).status).toBe('good');
    expect(checkCrl({ crlDer: crl, certificate: pki.good.der, issuer: pki.ca.der, now: new Date(Date.now() + 2 * 3_600_000) }).status).toBe('unknown');
  });

  it('a CRL under the same issuer name but signed by another key is refused (bad signature)', () => {
    const forged = pki.gencrl({ impostor: true });
    const r = checkCrl({ crlDer: forged, certificate: pki.good.der, issuer: pki.ca.der, now: new Date() });
    expect(r.status).toBe('unknown');
    expect(r.problems.join(' ')).toMatch(/signature/u);
    // The forged CRL does not list the revoked certificate: it must not be reported good either.
    expect(checkCrl({ crlDer: forged, certificate: pki.revoked.der, issuer: pki.ca.der, now: new Date() }).status).toBe('unknown');
  });

  it('a CRL whose signature bytes are flipped is refused', () => {
    const tampered = Buffer.from(after);
    tampered[tampered.length - 5] = (tampered[tampered.length - 5] ?? 0) ^ 0x01;
    expect(checkCrl({ crlDer: tampered, certificate: pki.good.der, issuer: pki.ca.der, now: new Date() }).status).toBe('unknown');
  });

  it('the wrong issuer certificate is a problem', () => {
    const r = checkCrl({ crlDer: after, certificate: pki.good.der, issuer: pki.ocspResponder.der, now: new Date() });
    expect(r.status).toBe('unknown');
  });

  it('garbage is unknown, not an exception', () => {
    expect(checkCrl({ crlDer: Buffer.from('not a crl'), certificate: pki.good.der, issuer: pki.ca.der, now: new Date() }).status).toBe('unknown');
  });
});
