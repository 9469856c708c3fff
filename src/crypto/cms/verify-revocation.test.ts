import { createHash, createPrivateKey, randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOpensslPki, openssl, startLoopbackServer, type Identity, type LoopbackServer, type OpensslPki } from '../revocation/test-support.ts';
import type { ValidationReport } from '../types.ts';
import { addSignatureTimestamp, attachSignatureTimestampTokens } from './add-signature-timestamp.ts';
import { signDetached } from './sign-detached.ts';
import { DEFAULT_VALIDATION_POLICY } from './validation-policy.ts';
import { verifyDetached, verifyDetachedAsync, type VerifyDetachedInput } from './verify-detached.ts';

type OcspMode = 'responder' | 'rogue' | 'down' | 'stale';

interface Fixture {
  server: LoopbackServer;
  pki: OpensslPki;
  state: { crl: Buffer | null; ocsp: OcspMode; hits: string[] };
}

async function startFixture(): Promise<Fixture> {
  const server = await startLoopbackServer();
  const pki = createOpensslPki(server.baseUrl);
  const state: Fixture['state'] = { crl: null, ocsp: 'responder', hits: [] };
  server.handler = (path, body) => {
    state.hits.push(path);
    if (path === '/ca.crl') return state.crl === null ? { status: 404, body: Buffer.alloc(0) } : { status: 200, body: state.crl };
    if (path === '/ocsp') {
      if (state.ocsp === 'down') return { status: 503, body: Buffer.alloc(0) };
      const signer = state.ocsp === 'rogue' ? 'rogue' : 'responder';
      return { status: 200, body: pki.ocspRespond(body, { signer, ...(state.ocsp === 'stale' ? { nmin: 1 } : {}) }), type: 'application/ocsp-response' };
    }
    if (path === '/tsa') return { status: 200, body: pki.tsReply(body), type: 'application/timestamp-reply' };
    return { status: 404, body: Buffer.alloc(0) };
  };
  return { server, pki, state };
}

const content = randomBytes(1000);
const contentDigest = createHash('sha256').update(content).digest();

function sign(identity: Identity, signingTime = new Date()): Buffer {
  return signDetached({
    contentDigest,
    digestAlgorithm: 'sha-256',
    privateKey: createPrivateKey(readFileSync(identity.keyPath)),
    certificate: identity.der,
    signingTime,
  });
}

function input(f: Fixture, signature: Buffer, extra: Partial<VerifyDetachedInput> = {}): VerifyDetachedInput {
  return {
    signature,
    contentDigests: { 'sha-256': contentDigest },
    trustAnchors: [{ certificate: f.pki.ca.der, qualified: false, label: 'test CA' }],
    policy: DEFAULT_VALIDATION_POLICY,
    now: new Date(),
    ...extra,
  };
}

const network = (f: Fixture) => ({ fetch, allowHosts: [f.server.host], timeoutMs: 10_000, maxBytes: 1 << 20 });

function only(reports: ValidationReport[]): ValidationReport {
  expect(reports).toHaveLength(1);
  const [r] = reports;
  if (r === undefined) throw new Error('no report');
  return r;
}

function check(r: ValidationReport, id: string) {
  return r.checks.find((c) => c.id === id);
}

/** `openssl cms -verify -cades` over the detached content: the independent oracle for what we write. */
function opensslCmsVerify(f: Fixture, signature: Buffer): boolean {
  const sig = join(f.pki.dir, `sig-${randomBytes(4).toString('hex')}.p7s`);
  const data = join(f.pki.dir, 'content.bin');
  writeFileSync(sig, signature);
  writeFileSync(data, content);
  return spawnSync('openssl', ['cms', '-verify', '-cades', '-binary', '-inform', 'DER', '-in', sig, '-content', data, '-CAfile', f.pki.ca.certPath, '-purpose', 'any', '-out', '/dev/null'], { stdio: 'pipe' }).status === 0;
}

describe('verifyDetached / verifyDetachedAsync with revocation (openssl CA, OCSP responder and TSA on loopback)', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await startFixture();
    f.pki.revoke(f.pki.revoked);
  });
  afterAll(async () => {
    await f.server.close();
    f.pki.cleanup();
  });

  it('good via OCSP from the AIA URL: TOTAL-PASSED, the response is the evidence, and it re-validates offline', async () => {
    f.state.crl = null;
    f.state.ocsp = 'responder';
    const signature = sign(f.pki.good);
    const r = only(await verifyDetachedAsync(input(f, signature, { revocation: { network: network(f) } })));
    expect(r.errors).toEqual([]);
    expect(r.indication).toBe('TOTAL-PASSED');
    expect(r.revocation.checked).toBe(true);
    expect(r.revocation.note).toMatch(/good \(OCSP http:\/\/127\.0\.0\.1:\d+\/ocsp\)/u);
    expect(check(r, 'revocation')?.status).toBe('passed');
    expect(r.revocationEvidence.ocsp).toHaveLength(1);
    expect(r.revocationEvidence.crls).toEqual([]);
    // CAdES-LT style: the stored response decides again without the network, synchronously.
    const again = only(verifyDetached(input(f, signature, { revocation: { ocspResponses: r.revocationEvidence.ocsp.map((b) => Buffer.from(b, 'base64')) } })));
    expect(again.indication).toBe('TOTAL-PASSED');
    expect(again.revocation.note).toMatch(/OCSP response at hand/u);
  });

  it('good via a CRL at hand (sync, offline)', () => {
    const crl = f.pki.gencrl();
    const r = only(verifyDetached(input(f, sign(f.pki.good), { revocation: { crls: [crl] } })));
    expect(r.indication).toBe('TOTAL-PASSED');
    expect(r.revocation.certificates?.[0]).toMatchObject({ status: 'good', source: 'crl', origin: 'CRL at hand' });
    expect(r.revocationEvidence.crls).toEqual([crl.toString('base64')]);
  });

  it('revoked by CRL: INDETERMINATE/REVOKED_NO_POE (no proof the signature predates the revocation)', () => {
    const r = only(verifyDetached(input(f, sign(f.pki.revoked), { revocation: { crls: [f.pki.gencrl()] } })));
    expect([r.indication, r.subIndication]).toEqual(['INDETERMINATE', 'REVOKED_NO_POE']);
    expect(r.errors.join(' ')).toMatch(/signing certificate .*revoked at .* \(keyCompromise\)/u);
    expect(r.revocation.certificates?.[0]?.status).toBe('revoked');
    expect(r.revocationEvidence.crls).toHaveLength(1);
  });

  it('revoked by OCSP (CRL distribution point unavailable)', async () => {
    f.state.crl = null;
    f.state.ocsp = 'responder';
    f.state.hits.length = 0;
    const r = only(await verifyDetachedAsync(input(f, sign(f.pki.revoked), { revocation: { network: network(f) } })));
    expect(f.state.hits).toEqual(['/ca.crl', '/ocsp']);
    expect([r.indication, r.subIndication]).toEqual(['INDETERMINATE', 'REVOKED_NO_POE']);
    expect(r.revocation.certificates?.[0]).toMatchObject({ status: 'revoked', source: 'ocsp' });
    expect(r.revocationEvidence.ocsp).toHaveLength(1);
  });

  it('OCSP unknown: TRY_LATER, never passed', async () => {
    f.state.ocsp = 'responder';
    const signature = signDetached({
      contentDigest,
      digestAlgorithm: 'sha-256',
      privateKey: createPrivateKey(readFileSync(f.pki.notInIndex.keyPath)),
      certificate: f.pki.notInIndex.der,
      signingTime: new Date(),
    });
    const r = only(await verifyDetachedAsync(input(f, signature, { revocation: { network: network(f) } })));
    expect([r.indication, r.subIndication]).toEqual(['INDETERMINATE', 'TRY_LATER']);
    expect(r.errors.join(' ')).toMatch(/answered unknown/u);
  });

  it('a stale OCSP response: TRY_LATER', async () => {
    f.state.ocsp = 'stale';
    const later = new Date(Date.now() + 10 * 60_000);
    const r = only(await verifyDetachedAsync(input(f, sign(f.pki.good), { now: later, revocation: { network: network(f) } })));
    f.state.ocsp = 'responder';
    expect([r.indication, r.subIndication]).toEqual(['INDETERMINATE', 'TRY_LATER']);
    expect(r.errors.join(' ')).toMatch(/stale/u);
  });

  it('an OCSP response signed by an unauthorised responder: TRY_LATER', async () => {
    f.state.ocsp = 'rogue';
    const r = only(await verifyDetachedAsync(input(f, sign(f.pki.revoked), { revocation: { network: network(f) } })));
    f.state.ocsp = 'responder';
    expect([r.indication, r.subIndication]).toEqual(['INDETERMINATE', 'TRY_LATER']);
    expect(r.revocationEvidence.ocsp).toEqual([]);
  });

  it('a CRL with a bad signature is not used: TRY_LATER, not passed and not revoked', () => {
    const r = only(verifyDetached(input(f, sign(f.pki.revoked), { revocation: { crls: [f.pki.gencrl({ impostor: true })] } })));
    expect([r.indication, r.subIndication]).toEqual(['INDETERMINATE', 'TRY_LATER']);
    expect(r.revocationEvidence.crls).toEqual([]);
  });

  it('responder down (and the CRL distribution point too): TRY_LATER', async () => {
    f.state.crl = null;
    f.state.ocsp = 'down';
    const r = only(await verifyDetachedAsync(input(f, sign(f.pki.good), { revocation: { network: network(f) } })));
    f.state.ocsp = 'responder';
    expect([r.indication, r.subIndication]).toEqual(['INDETERMINATE', 'TRY_LATER']);
    expect(r.errors.join(' ')).toMatch(/HTTP 503/u);
  });

  it('a host outside the allow-list is not contacted: TRY_LATER', async () => {
    f.state.hits.length = 0;
    const r = only(await verifyDetachedAsync(input(f, sign(f.pki.good), { revocation: { network: { ...network(f), allowHosts: ['ocsp.example'] } } })));
    expect(f.state.hits).toEqual([]);
    expect(r.subIndication).toBe('TRY_LATER');
  });

  it('the sync entry point never fetches: network alone is TRY_LATER', () => {
    f.state.hits.length = 0;
    const r = only(verifyDetached(input(f, sign(f.pki.good), { revocation: { network: network(f) } })));
    expect(f.state.hits).toEqual([]);
    expect(r.subIndication).toBe('TRY_LATER');
  });

  it('addSignatureTimestamp: CAdES-T that openssl cms -verify -cades accepts, token passing openssl ts -verify', async () => {
    const signature = sign(f.pki.good);
    expect(opensslCmsVerify(f, signature)).toBe(true);
    const added = await addSignatureTimestamp({
      signature,
      tsaUrl: `${f.server.baseUrl}/tsa`,
      fetch,
      timeoutMs: 10_000,
      tsaTrustAnchors: [{ certificate: f.pki.ca.der, qualified: false }],
      now: new Date(),
    });
    if (!added.ok) throw new Error(added.error.message);
    const stamped = added.value.signature;
    expect(opensslCmsVerify(f, stamped)).toBe(true);
    // Everything but the unsigned attributes is byte-identical: the signed attributes and the signature value.
    const cmsText = (der: Buffer) => {
      const file = join(f.pki.dir, `print-${randomBytes(4).toString('hex')}.der`);
      writeFileSync(file, der);
      return openssl(['cms', '-cmsout', '-print', '-inform', 'DER', '-in', file]).toString();
    };
    const before = cmsText(signature);
    const after = cmsText(stamped);
    expect(before).toContain('unsignedAttrs');
    expect(before).not.toContain('timeStampToken');
    expect(after).toContain('id-smime-aa-timeStampToken');
    expect(after.slice(0, after.indexOf('unsignedAttrs'))).toBe(before.slice(0, before.indexOf('unsignedAttrs')));
    // The token's imprint is the SHA-256 of the signature value (RFC 5126 §6.1.1), as openssl sees it.
    const sigValue = signatureValueOf(signature);
    const token = added.value.tokens[0] ?? Buffer.alloc(0);
    const tokenFile = join(f.pki.dir, 'cades-t-token.der');
    writeFileSync(tokenFile, token);
    const tsVerify = (hex: string) => spawnSync('openssl', ['ts', '-verify', '-digest', hex, '-token_in', '-in', tokenFile, '-CAfile', f.pki.ca.certPath], { stdio: 'pipe' }).status;
    expect(tsVerify(createHash('sha256').update(sigValue).digest('hex'))).toBe(0);
    expect(tsVerify(createHash('sha256').update('other').digest('hex'))).not.toBe(0);

    const r = only(verifyDetached(input(f, stamped, { revocation: { crls: [f.pki.gencrl()] } })));
    expect(r.indication).toBe('TOTAL-PASSED');
    expect(check(r, 'timestamp')?.status).toBe('passed');
    expect(r.timestamp?.genTime).toBe(added.value.genTimes[0]?.toISOString());
    expect(r.bestSignatureTime).toBe(r.timestamp?.genTime);
    expect(r.timestamp?.tsa).toMatch(/CN=tsa/u);
  });

  it('a timestamp over a different signature: INDETERMINATE/SIG_CONSTRAINTS_FAILURE naming the imprint', async () => {
    const other = sign(f.pki.good, new Date(Date.now() - 1000));
    const added = await addSignatureTimestamp({ signature: other, tsaUrl: `${f.server.baseUrl}/tsa`, fetch, timeoutMs: 10_000, tsaTrustAnchors: [{ certificate: f.pki.ca.der, qualified: false }], now: new Date() });
    if (!added.ok) throw new Error(added.error.message);
    const signature = sign(f.pki.good);
    const forged = attachSignatureTimestampTokens(signature, added.value.tokens);
    if (!forged.ok) throw new Error(forged.error.message);
    const r = only(verifyDetached(input(f, forged.value, { revocation: { crls: [f.pki.gencrl()] } })));
    expect([r.indication, r.subIndication]).toEqual(['INDETERMINATE', 'SIG_CONSTRAINTS_FAILURE']);
    expect(check(r, 'timestamp')?.message).toMatch(/not over this signature value/u);
    expect(r.timestamp).toBeNull();
    // Control: the token does belong to the other signature.
    expect(only(verifyDetached(input(f, added.value.signature, { revocation: { crls: [f.pki.gencrl()] } }))).indication).toBe('TOTAL-PASSED');
  });

  it('a timestamp by a TSA certificate without the timeStamping EKU is refused', async () => {
    const signature = sign(f.pki.good);
    const added = await addSignatureTimestamp({ signature, tsaUrl: `${f.server.baseUrl}/tsa`, fetch, timeoutMs: 10_000, tsaTrustAnchors: [{ certificate: f.pki.ca.der, qualified: false }], now: new Date() });
    if (!added.ok) throw new Error(added.error.message);
    // openssl ts -reply refuses such a signer, so the same TSTInfo is re-signed with openssl cms.
    const tokenFile = join(f.pki.dir, 'eku-token.der');
    const tstInfo = join(f.pki.dir, 'eku-tstinfo.der');
    writeFileSync(tokenFile, added.value.tokens[0] ?? Buffer.alloc(0));
    openssl(['cms', '-verify', '-noverify', '-inform', 'DER', '-in', tokenFile, '-binary', '-out', tstInfo]);
    const resign = (who: Identity) =>
      openssl(['cms', '-sign', '-binary', '-nodetach', '-cades', '-nosmimecap', '-md', 'sha256', '-econtent_type', '1.2.840.113549.1.9.16.1.4',
        '-signer', who.certPath, '-inkey', who.keyPath, '-in', tstInfo, '-outform', 'DER']);
    const bad = attachSignatureTimestampTokens(signature, [resign(f.pki.tsaNoEku)]);
    if (!bad.ok) throw new Error(bad.error.message);
    const r = only(verifyDetached(input(f, bad.value, { revocation: { crls: [f.pki.gencrl()] } })));
    expect([r.indication, r.subIndication]).toEqual(['INDETERMINATE', 'SIG_CONSTRAINTS_FAILURE']);
    expect(check(r, 'timestamp')?.message).toMatch(/timeStamping/u);
    // Control: the same re-signing by the proper TSA passes.
    const good = attachSignatureTimestampTokens(signature, [resign(f.pki.tsa)]);
    if (!good.ok) throw new Error(good.error.message);
    expect(only(verifyDetached(input(f, good.value, { revocation: { crls: [f.pki.gencrl()] } }))).indication).toBe('TOTAL-PASSED');
  });

  it('timestampTrustAnchors: a TSA outside them is refused even when the signer chain is trusted', async () => {
    const signature = sign(f.pki.good);
    const added = await addSignatureTimestamp({ signature, tsaUrl: `${f.server.baseUrl}/tsa`, fetch, timeoutMs: 10_000, tsaTrustAnchors: [{ certificate: f.pki.ca.der, qualified: false }], now: new Date() });
    if (!added.ok) throw new Error(added.error.message);
    const r = only(verifyDetached(input(f, added.value.signature, { revocation: { crls: [f.pki.gencrl()] }, timestampTrustAnchors: [{ certificate: f.pki.impostor.der, qualified: false }] })));
    expect(r.subIndication).toBe('SIG_CONSTRAINTS_FAILURE');
    expect(check(r, 'timestamp')?.message).toMatch(/trust anchor/u);
  });
});

describe('revoked after the signing time: a time-stamp before the revocation keeps the signature valid', () => {
  let f: Fixture;
  let plain: Buffer;
  let stamped: Buffer;
  let genTime: Date;
  const revokedAt = new Date(Date.now() + 30 * 60_000);
  const validation = new Date(Date.now() + 60 * 60_000);
  beforeAll(async () => {
    f = await startFixture();
    plain = sign(f.pki.good);
    const added = await addSignatureTimestamp({ signature: plain, tsaUrl: `${f.server.baseUrl}/tsa`, fetch, timeoutMs: 10_000, tsaTrustAnchors: [{ certificate: f.pki.ca.der, qualified: false }], now: new Date() });
    if (!added.ok) throw new Error(added.error.message);
    stamped = added.value.signature;
    genTime = added.value.genTimes[0] ?? new Date(0);
    // Revoked half an hour after the time-stamp; validated an hour after it.
    f.pki.revokeAt(f.pki.good, revokedAt);
  });
  afterAll(async () => {
    await f.server.close();
    f.pki.cleanup();
  });

  it('with the time-stamp (OCSP): TOTAL-PASSED, best signature time = genTime, a warning about the later revocation', async () => {
    f.state.crl = null;
    const r = only(await verifyDetachedAsync(input(f, stamped, { now: validation, revocation: { network: network(f) } })));
    expect(r.errors).toEqual([]);
    expect(r.indication).toBe('TOTAL-PASSED');
    expect(r.bestSignatureTime).toBe(genTime.toISOString());
    expect(r.revocation.certificates?.[0]).toMatchObject({ status: 'revoked', revokedAt: new Date(Math.floor(revokedAt.getTime() / 1000) * 1000).toISOString() });
    expect(r.warnings.join(' ')).toMatch(/revoked at .* after the best signature time/u);
  });

  it('without the time-stamp the same revocation is REVOKED_NO_POE', async () => {
    const r = only(await verifyDetachedAsync(input(f, plain, { now: validation, revocation: { network: network(f) } })));
    expect([r.indication, r.subIndication]).toEqual(['INDETERMINATE', 'REVOKED_NO_POE']);
  });

  it('the same through a CRL at hand', () => {
    const crl = f.pki.gencrl();
    expect(only(verifyDetached(input(f, stamped, { now: validation, revocation: { crls: [crl] } }))).indication).toBe('TOTAL-PASSED');
    expect(only(verifyDetached(input(f, plain, { now: validation, revocation: { crls: [crl] } }))).subIndication).toBe('REVOKED_NO_POE');
  });
});

/** The signature value octets of the first SignerInfo, read by openssl's asn1parse (an independent reader). */
function signatureValueOf(signature: Buffer): Buffer {
  const text = spawnSync('openssl', ['asn1parse', '-inform', 'DER'], { input: signature, stdio: 'pipe' }).stdout.toString();
  const octets = text.split('\n').filter((l) => l.includes('OCTET STRING') && l.includes('[HEX DUMP]'));
  const last = octets[octets.length - 1] ?? '';
  return Buffer.from(last.slice(last.indexOf('[HEX DUMP]:') + 11), 'hex');
}
