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
import { signatureValuesOf, timestampSignatureValue } from './timestamp-signature-value.ts';

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
