import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOpensslPki, openssl, startLoopbackServer, type LoopbackServer, type OpensslPki } from '../revocation/test-support.ts';
import { buildTimestampRequest, requestTimestamp } from './request-timestamp.ts';
import { verifyTimestampToken } from './verify-timestamp-token.ts';

describe('RFC 3161 timestamps from openssl ts -reply on loopback', () => {
  let server: LoopbackServer;
  let pki: OpensslPki;
  const signatureValue = Buffer.from('the CMS SignerInfo signature value');
  const digest = createHash('sha256').update(signatureValue).digest();
  const nonce = Buffer.from('0123456789abcdef');
  let token: Buffer;
  beforeAll(async () => {
    server = await startLoopbackServer();
    pki = createOpensslPki(server.baseUrl);
    server.handler = (path, body) => (path === '/tsa' ? { status: 200, body: pki.tsReply(body), type: 'application/timestamp-reply' } : { status: 404, body: Buffer.alloc(0) });
    const r = await requestTimestamp({ tsaUrl: `${server.baseUrl}/tsa`, digest, digestAlgorithm: 'sha-256', nonce, fetch, timeoutMs: 10_000 });
    if (!r.ok) throw new Error(r.error.message);
    token = r.value;
  });
  afterAll(async () => {
    await server.close();
    pki.cleanup();
  });
  const anchors = () => [{ certificate: pki.ca.der, qualified: false, label: 'test CA' }];
  const opensslVerify = (tokenDer: Buffer, hex: string): boolean => {
    const file = join(pki.dir, `token-${hex.slice(0, 8)}.der`);
    writeFileSync(file, tokenDer);
    return spawnSync('openssl', ['ts', '-verify', '-digest', hex, '-token_in', '-in', file, '-CAfile', pki.ca.certPath], { stdio: 'pipe' }).status === 0;
  };

  it('openssl reads our TimeStampReq with the imprint and nonce', () => {
    const file = join(pki.dir, 'q.tsq');
    writeFileSync(file, buildTimestampRequest({ digest, digestAlgorithm: 'sha-256', nonce }));
    const text = openssl(['ts', '-query', '-in', file, '-text']).toString();
    const flat = text.replace(/[\s:-]/gu, '').toLowerCase();
    // openssl prints the imprint as a hex dump, 16 octets per line.
    expect(flat).toContain(digest.subarray(0, 16).toString('hex'));
    expect(flat).toContain(digest.subarray(16).toString('hex'));
    expect(text).toContain('Certificate required: yes');
    expect(text).toContain(`Nonce: 0x${nonce.toString('hex').toUpperCase()}`);
  });

  it('a good token verifies, and openssl ts -verify agrees', () => {
    const v = verifyTimestampToken({ tokenDer: token, expectedImprint: digest, digestAlgorithm: 'sha-256', trustAnchors: anchors(), now: new Date(), expectedNonce: nonce });
    expect(v.problems).toEqual([]);
    expect(v.ok).toBe(true);
    expect(v.tsaCertificate?.equals(pki.tsa.der)).toBe(true);
    expect(v.policy).toBe('1.2.3.4.1');
    expect(v.trustAnchor).toBe('test CA');
    expect(opensslVerify(token, digest.toString('hex'))).toBe(true);
    const text = openssl(['ts', '-reply', '-token_in', '-in', join(pki.dir, `token-${digest.toString('hex').slice(0, 8)}.der`), '-text', '-token_out']).toString();
    const m = /Time stamp: (.+)/u.exec(text);
    expect(v.genTime?.getTime()).toBe(new Date(m?.[1] ?? '').getTime());
  });

  it('a token over a different signature value is refused (by us and by openssl)', () => {
    const other = createHash('sha256').update('another signature').digest();
    const v = verifyTimestampToken({ tokenDer: token, expectedImprint: other, digestAlgorithm: 'sha-256', trustAnchors: anchors(), now: new Date() });
    expect(v.ok).toBe(false);
    expect(v.problems.join(' ')).toMatch(/imprint/u);
    expect(opensslVerify(token, other.toString('hex'))).toBe(false);
  });

  it('a TSA not chaining to a trust anchor is refused', () => {
    const v = verifyTimestampToken({ tokenDer: token, expectedImprint: digest, digestAlgorithm: 'sha-256', trustAnchors: [{ certificate: pki.impostor.der, qualified: false }], now: new Date() });
    expect(v.ok).toBe(false);
    expect(v.problems.join(' ')).toMatch(/trust anchor/u);
  });

  it('validating ten years later still passes: the TSA chain is checked at genTime, not now', () => {
    const later = verifyTimestampToken({ tokenDer: token, expectedImprint: digest, digestAlgorithm: 'sha-256', trustAnchors: anchors(), now: new Date(Date.now() + 10 * 365 * 86_400_000) });
    expect(later.ok).toBe(true);
  });

  it('a token signed with a TSA certificate lacking the timeStamping EKU is refused (and openssl refuses it)', () => {
    // openssl ts -reply refuses such a signer, so the same TSTInfo is re-signed with openssl cms -cades.
    const tokenFile = join(pki.dir, 'good-token.der');
    writeFileSync(tokenFile, token);
    const tstInfo = join(pki.dir, 'tstinfo.der');
    openssl(['cms', '-verify', '-noverify', '-inform', 'DER', '-in', tokenFile, '-binary', '-out', tstInfo]);
    const bad = openssl(['cms', '-sign', '-binary', '-nodetach', '-cades', '-nosmimecap', '-md', 'sha256', '-econtent_type', '1.2.840.113549.1.9.16.1.4',
      '-signer', pki.tsaNoEku.certPath, '-inkey', pki.tsaNoEku.keyPath, '-in', tstInfo, '-outform', 'DER']);
    const v = verifyTimestampToken({ tokenDer: bad, expectedImprint: digest, digestAlgorithm: 'sha-256', trustAnchors: anchors(), now: new Date() });
    expect(v.ok).toBe(false);
    expect(v.problems).toHaveLength(1);
    expect(v.problems[0]).toMatch(/timeStamping/u);
    expect(opensslVerify(bad, digest.toString('hex'))).toBe(false);
    // Control: the same re-signing with the proper TSA certificate is accepted, so the EKU is what fails.
    const ok = openssl(['cms', '-sign', '-binary', '-nodetach', '-cades', '-nosmimecap', '-md', 'sha256', '-econtent_type', '1.2.840.113549.1.9.16.1.4',
      '-signer', pki.tsa.certPath, '-inkey', pki.tsa.keyPath, '-in', tstInfo, '-outform', 'DER']);
    expect(verifyTimestampToken({ tokenDer: ok, expectedImprint: digest, digestAlgorithm: 'sha-256', trustAnchors: anchors(), now: new Date() }).problems).toEqual([]);
  });

  it('a tampered token signature is refused', () => {
    const tampered = Buffer.from(token);
    tampered[tampered.length - 3] = (tampered[tampered.length - 3] ?? 0) ^ 0x01;
    expect(verifyTimestampToken({ tokenDer: tampered, expectedImprint: digest, digestAlgorithm: 'sha-256', trustAnchors: anchors(), now: new Date() }).ok).toBe(false);
  });
});
