/**
 * Long-term validation (issue 5, point 3 and 4): signature time-stamps kept beside the signature
 * (detached tokens, matched by imprint) are verified like embedded ones; validated years later the
 * stored CRLs are judged at the best signature time; the TSA's own certificate is checked for
 * revocation at genTime. Every component is real: `openssl ca -gencrl`, `openssl ts -reply` and
 * `openssl ocsp` behind a loopback HTTP server.
 */
import { createHash, createPrivateKey, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOpensslPki, openssl, startLoopbackServer, type Identity, type LoopbackServer, type OpensslPki } from '../revocation/test-support.ts';
import { pemToDerList } from '../pem.ts';
import { checkCrl } from '../revocation/crl.ts';
import { signatureValuesOf, timestampSignatureValue } from '../timestamp/index.ts';
import type { ValidationReport } from '../types.ts';
import { attachSignatureTimestampTokens } from './add-signature-timestamp.ts';
import { signDetached } from './sign-detached.ts';
import { DEFAULT_VALIDATION_POLICY } from './validation-policy.ts';
import { verifyDetached, verifyDetachedAsync, type VerifyDetachedInput } from './verify-detached.ts';

const YEAR_MS = 365 * 86_400_000;
const content = randomBytes(1000);
const contentDigest = createHash('sha256').update(content).digest();

let server: LoopbackServer;
let pki: OpensslPki;
const state: { crl: Buffer | null } = { crl: null };

function sign(identity: Identity): Buffer {
  return signDetached({ contentDigest, digestAlgorithm: 'sha-256', privateKey: createPrivateKey(readFileSync(identity.keyPath)), certificate: identity.der, signingTime: new Date() });
}

function valueOf(signature: Buffer): Buffer {
  const values = signatureValuesOf(signature);
  if (!values.ok || values.value[0] === undefined) throw new Error('no signature value');
  return values.value[0];
}

async function stamp(signature: Buffer): Promise<{ token: Buffer; genTime: Date }> {
  const t = await timestampSignatureValue({
    signatureValue: valueOf(signature),
    tsaUrl: `${server.baseUrl}/tsa`,
    fetch,
    timeoutMs: 10_000,
    trustAnchors: [{ certificate: pki.ca.der, qualified: false }],
    now: new Date(),
  });
  if (!t.ok) throw new Error(t.error.message);
  return { token: t.value.token, genTime: t.value.genTime };
}

function input(signature: Buffer, extra: Partial<VerifyDetachedInput> = {}): VerifyDetachedInput {
  return {
    signature,
    contentDigests: { 'sha-256': contentDigest },
    trustAnchors: [{ certificate: pki.ca.der, qualified: false, label: 'test CA' }],
    policy: DEFAULT_VALIDATION_POLICY,
    now: new Date(),
    ...extra,
  };
}

function only(reports: ValidationReport[]): ValidationReport {
  expect(reports).toHaveLength(1);
  const [r] = reports;
  if (r === undefined) throw new Error('no report');
  return r;
}

const check = (r: ValidationReport, id: string) => r.checks.find((c) => c.id === id);

/** The serial numbers `openssl crl -text` lists as revoked: an independent reading of the CRL. */
function opensslRevokedSerials(crl: Buffer): string[] {
  const path = join(pki.dir, `crl-${randomBytes(4).toString('hex')}.der`);
  writeFileSync(path, crl);
  const text = openssl(['crl', '-inform', 'DER', '-in', path, '-noout', '-text']).toString();
  return [...text.matchAll(/Serial Number: ([0-9A-F]+)/giu)].map((m) => (m[1] ?? '').toUpperCase());
}

function serialOf(identity: Identity): string {
  return openssl(['x509', '-noout', '-serial', '-in', identity.certPath]).toString().trim().replace(/^serial=/u, '').toUpperCase();
}

beforeAll(async () => {
  server = await startLoopbackServer();
  pki = createOpensslPki(server.baseUrl);
  server.handler = (path, body) => {
    if (path === '/ca.crl') return state.crl === null ? { status: 404, body: Buffer.alloc(0) } : { status: 200, body: state.crl };
    if (path === '/ocsp') return { status: 200, body: pki.ocspRespond(body), type: 'application/ocsp-response' };
    if (path === '/tsa') return { status: 200, body: pki.tsReply(body), type: 'application/timestamp-reply' };
    return { status: 404, body: Buffer.alloc(0) };
  };
});
afterAll(async () => {
  await server.close();
  pki.cleanup();
});

describe('a signature time-stamp kept beside the signature (detached token)', () => {
  let signature: Buffer;
  let token: Buffer;
  let genTime: Date;
  let crl: Buffer;
  beforeAll(async () => {
    signature = sign(pki.good);
    ({ token, genTime } = await stamp(signature));
    crl = pki.gencrl();
  });

  it('is verified like an embedded one: TOTAL-PASSED, best signature time = genTime, detached: true', () => {
    const r = only(verifyDetached(input(signature, { signatureTimestamps: [token], revocation: { crls: [crl] } })));
    expect(r.errors).toEqual([]);
    expect(r.indication).toBe('TOTAL-PASSED');
    expect(r.bestSignatureTime).toBe(genTime.toISOString());
    expect(r.timestamp).toMatchObject({ genTime: genTime.toISOString(), detached: true });
    expect(check(r, 'timestamp')?.message).toMatch(/TSA certificate not revoked at genTime \(CRL at hand\)/u);

    const attached = attachSignatureTimestampTokens(signature, [token]);
    if (!attached.ok) throw new Error(attached.error.message);
    const embedded = only(verifyDetached(input(attached.value, { revocation: { crls: [crl] } })));
    expect(embedded.indication).toBe('TOTAL-PASSED');
    expect(embedded.bestSignatureTime).toBe(r.bestSignatureTime);
    expect(embedded.timestamp?.detached).toBe(false);
  });

  it('without it the same signature is CAdES-BES: best signature time = validation time', () => {
    const now = new Date(genTime.getTime() + 60_000);
    const r = only(verifyDetached(input(signature, { now, revocation: { crls: [crl] } })));
    expect(r.indication).toBe('TOTAL-PASSED');
    expect(r.timestamp).toBeNull();
    expect(r.bestSignatureTime).toBe(now.toISOString());
  });

  it('a token over another signature is ignored with a warning', async () => {
    const other = await stamp(sign(pki.good));
    const r = only(verifyDetached(input(signature, { signatureTimestamps: [other.token], revocation: { crls: [crl] } })));
    expect(r.indication).toBe('TOTAL-PASSED');
    expect(r.timestamp).toBeNull();
    expect(check(r, 'timestamp')?.status).toBe('not-checked');
    expect(r.warnings.join(' ')).toMatch(/detached time-stamp token 1 covers no signature value/u);
  });

  it('a matching token that does not verify (TSA outside the time-stamp anchors) makes the report say so', () => {
    const r = only(verifyDetached(input(signature, { signatureTimestamps: [token], revocation: { crls: [crl] }, timestampTrustAnchors: [{ certificate: pki.impostor.der, qualified: false }] })));
    expect([r.indication, r.subIndication]).toEqual(['INDETERMINATE', 'SIG_CONSTRAINTS_FAILURE']);
    expect(check(r, 'timestamp')?.message).toMatch(/the detached signature time-stamp does not verify: .*does not chain to a trust anchor/u);
  });

  describe('five years later, offline, with what was stored', () => {
    const later = (): Date => new Date(genTime.getTime() + 5 * YEAR_MS);

    it('token + CRL: TOTAL-PASSED although the signer certificate expired and the CRL is long past nextUpdate', () => {
      const now = later();
      const r = only(verifyDetached(input(signature, { now, signatureTimestamps: [token], revocation: { crls: [crl] } })));
      expect(r.errors).toEqual([]);
      expect(r.indication).toBe('TOTAL-PASSED');
      expect(r.bestSignatureTime).toBe(genTime.toISOString());
      expect(r.validationTime).toBe(now.toISOString());
      expect(r.revocationEvidence.crls).toEqual([crl.toString('base64')]);
    });

    it('without the token: the expired certificate has no proof of existence (OUT_OF_BOUNDS_NO_POE)', () => {
      const r = only(verifyDetached(input(signature, { now: later(), revocation: { crls: [crl] } })));
      expect([r.indication, r.subIndication]).toEqual(['INDETERMINATE', 'OUT_OF_BOUNDS_NO_POE']);
    });

    it('without the CRL: INDETERMINATE/TRY_LATER, and the token is not used as proof of existence', () => {
      const r = only(verifyDetached(input(signature, { now: later(), signatureTimestamps: [token] })));
      expect([r.indication, r.subIndication]).toEqual(['INDETERMINATE', 'TRY_LATER']);
      expect(check(r, 'timestamp')?.status).toBe('indeterminate');
      expect(r.warnings.join(' ')).toMatch(/revocation status of the TSA certificate .* could not be checked/u);
    });

  });
});

describe('CRL freshness at the best signature time (checkCrl `at`)', () => {
  /** A certificate of the CA that expired in 2020 (still "valid" in index.txt). */
  function expiredIdentity(name: string): Identity {
    const cnf = join(pki.dir, 'ca.cnf');
    const key = join(pki.dir, `${name}.key`);
    const csr = join(pki.dir, `${name}.csr`);
    const cert = join(pki.dir, `${name}.pem`);
    openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', csr, '-subj', `/O=Revocation Test/CN=${name}`, '-config', cnf]);
    openssl(['ca', '-batch', '-config', cnf, '-extensions', 'leaf_ext', '-notext', '-startdate', '20200101000000Z', '-enddate', '20200201000000Z', '-in', csr, '-out', cert]);
    return { certPath: cert, keyPath: key, der: pemToDerList(readFileSync(cert))[0] ?? Buffer.alloc(0) };
  }

  it('a CRL current at `at` or issued after it is fresh; one that expired before `at` is stale', () => {
    const crl = pki.gencrl();
    const now = new Date(Date.now() + 3 * YEAR_MS);
    expect(checkCrl({ crlDer: crl, certificate: pki.good.der, issuer: pki.ca.der, now, at: new Date() }).status).toBe('good');
    expect(checkCrl({ crlDer: crl, certificate: pki.good.der, issuer: pki.ca.der, now, at: new Date(Date.now() - 86_400_000) }).status).toBe('good');
    const stale = checkCrl({ crlDer: crl, certificate: pki.good.der, issuer: pki.ca.der, now, at: new Date(Date.now() + 8 * 86_400_000) });
    expect(stale.status).toBe('unknown');
    expect(stale.problems.join(' ')).toMatch(/stale for /u);
    // Without `at`, judged at `now` as before.
    expect(checkCrl({ crlDer: crl, certificate: pki.good.der, issuer: pki.ca.der, now }).problems.join(' ')).toMatch(/stale: nextUpdate/u);
  });

  it('a CRL issued after the certificate expired does not prove it was not revoked (RFC 5280 §3.3)', () => {
    const old = expiredIdentity('expired-2020');
    const crl = pki.gencrl();
    const r = checkCrl({ crlDer: crl, certificate: old.der, issuer: pki.ca.der, now: new Date(), at: new Date('2020-01-15T00:00:00Z') });
    expect(r.status).toBe('unknown');
    expect(r.problems.join(' ')).toMatch(/issued after the certificate expired/u);
    // A revocation it does list still counts.
    pki.revokeAt(old, new Date('2020-01-10T00:00:00Z'));
    const listed = checkCrl({ crlDer: pki.gencrl(), certificate: old.der, issuer: pki.ca.der, now: new Date(), at: new Date('2020-01-15T00:00:00Z') });
    expect(listed.status).toBe('revoked');
  });
});

describe('revocation of the TSA certificate at genTime', () => {
  let signature: Buffer;
  let token: Buffer;
  let genTime: Date;
  beforeAll(async () => {
    signature = sign(pki.good);
    ({ token, genTime } = await stamp(signature));
  });

  it('revoked after genTime: the token still proves existence, with a warning', () => {
    pki.revokeAt(pki.tsa, new Date(genTime.getTime() + 3_600_000), 'keyCompromise');
    const crl = pki.gencrl();
    expect(opensslRevokedSerials(crl)).toContain(serialOf(pki.tsa));
    const r = only(verifyDetached(input(signature, { now: new Date(genTime.getTime() + 2 * YEAR_MS), signatureTimestamps: [token], revocation: { crls: [crl] } })));
    expect(r.indication).toBe('TOTAL-PASSED');
    expect(r.warnings.join(' ')).toMatch(/the TSA certificate .*tsa was revoked at .* after the genTime/u);
  });

  it('revoked before genTime (CRL): the token is no proof of existence and the report says why', () => {
    pki.revokeAt(pki.tsa, new Date(genTime.getTime() - 1000), 'keyCompromise');
    const crl = pki.gencrl();
    expect(opensslRevokedSerials(crl)).toContain(serialOf(pki.tsa));
    const now = new Date(genTime.getTime() + 60_000);
    const r = only(verifyDetached(input(signature, { now, signatureTimestamps: [token], revocation: { crls: [crl] } })));
    expect([r.indication, r.subIndication]).toEqual(['INDETERMINATE', 'SIG_CONSTRAINTS_FAILURE']);
    expect(check(r, 'timestamp')?.message).toMatch(/is no proof of existence: the TSA certificate .*tsa was revoked at .*\(keyCompromise\), not after the genTime/u);
    expect(r.timestamp).toBeNull();
    expect(r.bestSignatureTime).toBe(now.toISOString());
    // The CRL that showed it is evidence of the report too.
    expect(r.revocationEvidence.crls).toContain(crl.toString('base64'));

    const attached = attachSignatureTimestampTokens(signature, [token]);
    if (!attached.ok) throw new Error(attached.error.message);
    const embedded = only(verifyDetached(input(attached.value, { now, revocation: { crls: [crl] } })));
    expect([embedded.indication, embedded.subIndication]).toEqual(['INDETERMINATE', 'SIG_CONSTRAINTS_FAILURE']);
  });

  it('revoked before genTime (OCSP fetched from the TSA certificate AIA): same', async () => {
    state.crl = null;
    const r = only(await verifyDetachedAsync(input(signature, { signatureTimestamps: [token], revocation: { network: { fetch, allowHosts: [server.host], timeoutMs: 10_000, maxBytes: 1 << 20 } } })));
    expect([r.indication, r.subIndication]).toEqual(['INDETERMINATE', 'SIG_CONSTRAINTS_FAILURE']);
    expect(check(r, 'timestamp')?.message).toMatch(/TSA certificate .*tsa was revoked .*OCSP http/u);
    expect(r.revocationEvidence.ocsp.length).toBeGreaterThan(0);
  });

  it('skipped by policy: the token is used, and the report says revocation was not checked', () => {
    const r = only(verifyDetached(input(signature, { signatureTimestamps: [token], policy: { ...DEFAULT_VALIDATION_POLICY, revocation: 'skip' } })));
    expect(r.indication).toBe('TOTAL-PASSED');
    expect(check(r, 'timestamp')?.message).toMatch(/TSA certificate revocation not checked \(skipped by policy\)/u);
  });
});
