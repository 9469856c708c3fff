/**
 * Detached signature time-stamps (a token over a SignerInfo's signature value kept beside the
 * signature): against `openssl ts -reply` on loopback, cross-checked with `openssl ts -verify`.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOpensslPki, openssl, startLoopbackServer, type LoopbackServer, type OpensslPki } from '../revocation/test-support.ts';
import type { RevocationInput } from '../cms/index.ts';
import { signatureValuesOf, timestampSignatureValue, type TsaRevocationInput } from './timestamp-signature-value.ts';

describe('timestampSignatureValue', () => {
  let server: LoopbackServer;
  let pki: OpensslPki;
  let signature: Buffer;
  beforeAll(async () => {
    server = await startLoopbackServer();
    pki = createOpensslPki(server.baseUrl);
    server.handler = (path, body) => (path === '/tsa' ? { status: 200, body: pki.tsReply(body) } : { status: 404, body: Buffer.alloc(0) });
    const content = join(pki.dir, 'content.txt');
    writeFileSync(content, 'signed text');
    signature = openssl(['cms', '-sign', '-binary', '-cades', '-outform', 'DER', '-in', content, '-signer', pki.good.certPath, '-inkey', pki.good.keyPath]);
  });
  afterAll(async () => {
    await server.close();
    pki.cleanup();
  });

  it('reads the signature value openssl wrote (the last OCTET STRING of asn1parse), and refuses what is not CMS', () => {
    const values = signatureValuesOf(signature);
    if (!values.ok) throw new Error(values.error.message);
    expect(values.value.length).toBe(1);
    const file = join(pki.dir, 'sig.der');
    writeFileSync(file, signature);
    const octets = openssl(['asn1parse', '-inform', 'DER', '-in', file]).toString().split('\n').filter((l) => l.includes('OCTET STRING') && l.includes('[HEX DUMP]:'));
    const last = octets[octets.length - 1]?.split('[HEX DUMP]:')[1]?.trim().toLowerCase();
    expect(values.value[0]?.toString('hex')).toBe(last);
    expect(signatureValuesOf(Buffer.from('not cms')).ok).toBe(false);
  });

  it('gets a token over the signature value that openssl ts -verify accepts, and only for that value', async () => {
    const values = signatureValuesOf(signature);
    if (!values.ok || values.value[0] === undefined) throw new Error('no value');
    const value = values.value[0];
    const r = await timestampSignatureValue({ signatureValue: value, tsaUrl: `${server.baseUrl}/tsa`, fetch, timeoutMs: 10_000, trustAnchors: [{ certificate: pki.ca.der, qualified: false, label: 'test CA' }], now: new Date() });
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.summary.genTime).toBe(r.value.genTime.toISOString());
    expect(r.value.summary.tsa).toContain('tsa');
    const file = join(pki.dir, 'detached.tst');
    writeFileSync(file, r.value.token);
    const verify = (bytes: Buffer): number | null =>
      spawnSync('openssl', ['ts', '-verify', '-token_in', '-in', file, '-digest', createHash('sha256').update(bytes).digest('hex'), '-CAfile', pki.ca.certPath], { stdio: 'pipe' }).status;
    expect(verify(value)).toBe(0);
    expect(verify(Buffer.concat([value, Buffer.of(0)]))).not.toBe(0);
  });

  it('never returns a token whose TSA does not chain to the given anchors', async () => {
    const values = signatureValuesOf(signature);
    if (!values.ok || values.value[0] === undefined) throw new Error('no value');
    const r = await timestampSignatureValue({ signatureValue: values.value[0], tsaUrl: `${server.baseUrl}/tsa`, fetch, timeoutMs: 10_000, trustAnchors: [{ certificate: pki.impostor.der, qualified: false, label: 'other CA' }], now: new Date() });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('TIMESTAMP_INVALID');
  });
});

/**
 * The TSA path's revocation at genTime, checked when the token is obtained (RFC 3161 §4, ETSI EN
 * 319 102-1 §5.2.6): `openssl ca -gencrl` at the TSA certificate's distribution point and `openssl
 * ocsp` at its AIA, on loopback; `openssl crl -verify` judges the CRL handed back as evidence.
 */
describe('timestampSignatureValue with the TSA path revocation input', () => {
  let server: LoopbackServer;
  let pki: OpensslPki;
  let value: Buffer;
  const down = { crl: false, ocsp: false };
  const hits = { crl: 0, ocsp: 0 };
  beforeAll(async () => {
    server = await startLoopbackServer();
    pki = createOpensslPki(server.baseUrl);
    server.handler = (path, body) => {
      if (path === '/tsa') return { status: 200, body: pki.tsReply(body) };
      if (path === '/ca.crl') {
        hits.crl += 1;
        return down.crl ? { status: 404, body: Buffer.alloc(0) } : { status: 200, body: pki.gencrl() };
      }
      if (path === '/ocsp') {
        hits.ocsp += 1;
        return down.ocsp ? { status: 503, body: Buffer.alloc(0) } : { status: 200, body: pki.ocspRespond(body) };
      }
      return { status: 404, body: Buffer.alloc(0) };
    };
    value = Buffer.from('a signature value to time-stamp');
  });
  afterAll(async () => {
    await server.close();
    pki.cleanup();
  });

  const network = (allowHosts: readonly string[] = ['127.0.0.1']): NonNullable<RevocationInput['network']> => ({ fetch, allowHosts, timeoutMs: 5_000, maxBytes: 1 << 20 });
  const stamp = (revocation?: TsaRevocationInput) =>
    timestampSignatureValue({
      signatureValue: value,
      tsaUrl: `${server.baseUrl}/tsa`,
      fetch,
      timeoutMs: 10_000,
      trustAnchors: [{ certificate: pki.ca.der, qualified: false, label: 'test CA' }],
      now: new Date(),
      ...(revocation === undefined ? {} : { revocation }),
    });
  /** `openssl crl` as the judge: the CRL verifies with the CA, and whether it lists `who`. */
  const opensslCrl = (crl: Buffer, who: { certPath: string }): { verified: boolean; lists: boolean } => {
    const file = join(pki.dir, 'evidence.crl');
    writeFileSync(file, crl);
    const check = spawnSync('openssl', ['crl', '-inform', 'DER', '-in', file, '-CAfile', pki.ca.certPath, '-noout', '-text'], { encoding: 'utf8' });
    const serial = openssl(['x509', '-noout', '-serial', '-in', who.certPath]).toString().trim().replace(/^serial=/u, '').toUpperCase();
    return { verified: check.status === 0 && check.stderr.includes('verify OK'), lists: check.stdout.toUpperCase().includes(`SERIAL NUMBER: ${serial}`) };
  };

  it('good: the TSA certificate is not revoked at genTime; the CRL that said so comes back as evidence', async () => {
    // The gateway passes its RevocationInput as it is (the same shape verifyDetached takes).
    const sources: RevocationInput = { network: network() };
    const r = await stamp({ ...sources, mode: 'require' });
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.revocationEvidence.crls.length).toBe(1);
    expect(r.value.revocationEvidence.ocsp).toEqual([]);
    const crl = r.value.revocationEvidence.crls[0];
    if (crl === undefined) throw new Error('no CRL');
    expect(opensslCrl(crl, pki.tsa)).toEqual({ verified: true, lists: false });
    expect(r.value.revocationNote).toMatch(/not revoked at genTime \(CRL http:\/\/127\.0\.0\.1:\d+\/ca\.crl\)/u);
  });

  it('good from a CRL at hand: no fetch, that CRL is the evidence', async () => {
    const atHand = pki.gencrl();
    const before = { ...hits };
    const r = await stamp({ crls: [atHand], mode: 'require' });
    if (!r.ok) throw new Error(r.error.message);
    expect(hits).toEqual(before);
    expect(r.value.revocationEvidence.crls).toEqual([atHand]);
  });

  it('good via OCSP when the distribution point does not answer; the response is the evidence', async () => {
    down.crl = true;
    try {
      const r = await stamp({ network: network(), mode: 'require' });
      if (!r.ok) throw new Error(r.error.message);
      expect(r.value.revocationEvidence.crls).toEqual([]);
      expect(r.value.revocationEvidence.ocsp.length).toBe(1);
      expect(r.value.revocationNote).toContain('OCSP');
    } finally {
      down.crl = false;
    }
  });

  it('unknown: neither the CRL nor the OCSP responder answers → TSA_REVOCATION_UNAVAILABLE, no token', async () => {
    down.crl = true;
    down.ocsp = true;
    try {
      const r = await stamp({ network: network(), mode: 'require' });
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.error.code).toBe('TSA_REVOCATION_UNAVAILABLE');
        expect(r.error.message).toMatch(/revocation status of the TSA certificate .* could not be established/u);
        expect(r.error.message).toContain('HTTP 404');
      }
    } finally {
      down.crl = false;
      down.ocsp = false;
    }
  });

  it('unknown: hosts outside the allow-list are not contacted → TSA_REVOCATION_UNAVAILABLE', async () => {
    const before = { ...hits };
    const r = await stamp({ network: network(['crl.example.org']), mode: 'require' });
    expect(hits).toEqual(before);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('TSA_REVOCATION_UNAVAILABLE');
      expect(r.error.message).toContain('NOT_ALLOWED');
    }
  });

  it('unknown: revocation required but no source at all → TSA_REVOCATION_UNAVAILABLE', async () => {
    const r = await stamp({ mode: 'require' });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('TSA_REVOCATION_UNAVAILABLE');
      expect(r.error.message).toContain('no CRL or OCSP source configured');
    }
  });

  it('revoked only after genTime: the token is returned, with the later revocation noted', async () => {
    pki.revokeAt(pki.tsa, new Date(Date.now() + 3_600_000));
    const r = await stamp({ network: network(), mode: 'require' });
    if (!r.ok) throw new Error(r.error.message);
    const crl = r.value.revocationEvidence.crls[0];
    if (crl === undefined) throw new Error('no CRL');
    expect(opensslCrl(crl, pki.tsa)).toEqual({ verified: true, lists: true });
    expect(r.value.revocationNote).toMatch(/was revoked at .*, after the genTime/u);
  });

  it('revoked at or before genTime → TSA_REVOKED naming the certificate, the time and the reason', async () => {
    pki.revokeAt(pki.tsa, new Date(Date.now() - 3_600_000));
    const r = await stamp({ network: network(), mode: 'require' });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('TSA_REVOKED');
      expect(r.error.message).toMatch(/the TSA certificate .*tsa.* was revoked at .* \(keyCompromise\), not after the genTime/u);
    }
  });

  it('skip: the revoked TSA is not checked (as today), no evidence, and the note says so', async () => {
    const before = { ...hits };
    const skipped = await stamp({ network: network(), mode: 'skip' });
    if (!skipped.ok) throw new Error(skipped.error.message);
    expect(hits).toEqual(before);
    expect(skipped.value.revocationEvidence).toEqual({ crls: [], ocsp: [] });
    expect(skipped.value.revocationNote).toContain('skipped by policy');
    const without = await stamp();
    if (!without.ok) throw new Error(without.error.message);
    expect(without.value.revocationEvidence).toEqual({ crls: [], ocsp: [] });
    expect(without.value.revocationNote).toContain('not checked');
  });
});
