/**
 * Admin API, certificates and trust anchors: uploads as PEM, DER and a PKCS#7 bundle made by
 * openssl; details checked against openssl; non-certificates, expired and CA-only uploads refused;
 * warnings; local revocation; trust anchors added and removed, and the running verifier sees it.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certificateToPem } from '../src/crypto/index.ts';
import { tables } from '../src/db/index.ts';
import { auth, startTestGateway, type TestGateway } from './helpers/gateway.ts';
import { caCertificate, days, devRoot, leafCertificate, type Issuer } from './helpers/admin-pki.ts';

let gw: TestGateway;
let root: Issuer;
let scratch: string;

beforeAll(async () => {
  gw = await startTestGateway();
  root = await devRoot(gw);
  scratch = await mkdtemp(join(tmpdir(), 'edx-admin-cert-'));
});
afterAll(async () => {
  await gw.dispose();
  await rm(scratch, { recursive: true, force: true });
});

async function post(path: string, body: string | Uint8Array, type: string): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await gw.app.request(`/api/v1/admin${path}`, { method: 'POST', headers: { ...auth(gw.adminToken), 'content-type': type }, body });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}
async function get(path: string): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await gw.app.request(`/api/v1/admin${path}`, { headers: auth(gw.adminToken) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

function opensslFingerprint(der: Buffer): string {
  const r = spawnSync('openssl', ['x509', '-inform', 'DER', '-noout', '-fingerprint', '-sha256'], { input: der, encoding: 'utf8' });
  return (/=([0-9A-F:]+)/u.exec(r.stdout)?.[1] ?? '').replace(/:/gu, '').toLowerCase();
}

function certificateRows(): number {
  return gw.ctx.db.select({ n: count() }).from(tables.certificates).get()?.n ?? 0;
}

interface Uploaded {
  certificates: { fingerprint: string; created: boolean; qualified: boolean; trustAnchor: string | null; ogrn: string | null; inn: string | null; keyUsage: string[]; subject: string; notAfter: string }[];
  warnings: { code: string; fingerprint: string }[];
}

describe('POST /admin/participants/:id/certificates', () => {
  it('registers a PEM certificate chaining to the qualified development root; details match openssl', async () => {
    const now = gw.clock.now;
    const der = leafCertificate({ issuer: root, from: days(now, -1), to: days(now, 365), subject: { organization: 'Минфин', ogrn: '1035999000058', innle: '5999000055' } });
    const r = await post('/participants/gov-minfin/certificates', certificateToPem(der), 'application/x-pem-file');
    expect(r.status).toBe(201);
    const body = r.json as unknown as Uploaded;
    expect(body.warnings).toEqual([]);
    expect(body.certificates).toHaveLength(1);
    const c = body.certificates[0];
    expect(c?.fingerprint).toBe(opensslFingerprint(der));
    expect(c).toMatchObject({ created: true, ogrn: '1035999000058', inn: '5999000055', trustAnchor: expect.any(String), keyUsage: ['digitalSignature', 'nonRepudiation'] });
    const subject = spawnSync('openssl', ['x509', '-inform', 'DER', '-noout', '-subject', '-nameopt', 'RFC2253'], { input: der, encoding: 'utf8' }).stdout;
    expect(subject).toContain('CN=Test Signer');
    const journal = gw.ctx.db.select().from(tables.events).where(eq(tables.events.type, 'certificate.registered')).all();
    expect(journal.map((e) => JSON.parse(e.detailJson).fingerprint)).toContain(c?.fingerprint);
    const list = await get('/participants/gov-minfin/certificates');
    expect((list.json.items as { fingerprint: string }[]).map((x) => x.fingerprint)).toContain(c?.fingerprint);
    expect(JSON.stringify(list.json)).not.toContain('key.pem');
  });
  it('registers a DER certificate, and warns of an identifier mismatch and expiry within 30 days', async () => {
    const now = gw.clock.now;
    const der = leafCertificate({ issuer: root, from: days(now, -1), to: days(now, 10), subject: { ogrn: '1025900000026' } });
    const r = await post('/participants/gov-minfin/certificates', der, 'application/pkix-cert');
    expect(r.status).toBe(201);
    expect((r.json as unknown as Uploaded).warnings.map((w) => w.code).sort()).toEqual(['EXPIRING_SOON', 'IDENTIFIER_MISMATCH']);
    const expiring = await get('/certificates/expiring?days=30');
    const fp = opensslFingerprint(der);
    const item = (expiring.json.items as { fingerprint: string; participantId: string; daysLeft: number }[]).find((x) => x.fingerprint === fp);
    expect(item?.participantId).toBe('gov-minfin');
    // Certificate times have whole seconds, so "10 days" from a clock with milliseconds is 9.99 whole days.
    expect(item?.daysLeft).toBe(9);
    expect(((await get('/certificates/expiring?days=5')).json.items as { fingerprint: string }[]).map((x) => x.fingerprint)).not.toContain(fp);
  });
  it('reads a PKCS#7 certs-only bundle made by openssl: the leaf is registered, the CA only builds the chain', async () => {
    const now = gw.clock.now;
    const sub = caCertificate({ name: 'Intermediate CA', from: days(now, -1), to: days(now, 700), issuer: root });
    const leaf = leafCertificate({ issuer: sub, from: days(now, -1), to: days(now, 365) });
    await writeFile(join(scratch, 'leaf.pem'), certificateToPem(leaf));
    await writeFile(join(scratch, 'sub.pem'), certificateToPem(sub.certificate));
    const p7 = spawnSync('openssl', ['crl2pkcs7', '-nocrl', '-certfile', join(scratch, 'leaf.pem'), '-certfile', join(scratch, 'sub.pem'), '-outform', 'DER', '-out', join(scratch, 'bundle.p7b')], { encoding: 'utf8' });
    expect(p7.status, p7.stderr).toBe(0);
    const r = await post('/participants/demo-supplier/certificates', await readFile(join(scratch, 'bundle.p7b')), 'application/pkcs7-mime');
    expect(r.status).toBe(201);
    const body = r.json as unknown as Uploaded;
    expect(body.certificates.map((c) => c.fingerprint)).toEqual([opensslFingerprint(leaf)]);
    expect(body.certificates[0]?.trustAnchor).not.toBeNull();
    expect(body.warnings.map((w) => w.code)).toEqual(['CA_NOT_REGISTERED']);
  });
  it('refuses a non-certificate with 400, an expired certificate with 422, a CA-only upload; nothing registered', async () => {
    const before = certificateRows();
    const now = gw.clock.now;
    for (const body of ['hello, I am not a certificate', '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n']) {
      const r = await post('/participants/gov-minfin/certificates', body, 'application/x-pem-file');
      expect(r.status).toBe(400);
      expect(r.json.code).toBe('CERTIFICATE_UNREADABLE');
    }
    const expired = leafCertificate({ issuer: root, from: days(now, -400), to: days(now, -1) });
    const r = await post('/participants/gov-minfin/certificates', certificateToPem(expired), 'application/x-pem-file');
    expect(r.status).toBe(422);
    expect(r.json.code).toBe('CERTIFICATE_EXPIRED');
    const ca = await post('/participants/gov-minfin/certificates', certificateToPem(root.certificate), 'application/x-pem-file');
    expect(ca.json.code).toBe('CERTIFICATE_IS_CA');
    expect(certificateRows()).toBe(before);
  });
  it('warns when the certificate does not chain to a trust anchor; refuses it for a second participant; 404 for unknown participants', async () => {
    const now = gw.clock.now;
    const stranger = leafCertificate({ issuer: caCertificate({ name: 'Unknown CA', from: days(now, -1), to: days(now, 700) }), from: days(now, -1), to: days(now, 365) });
    const r = await post('/participants/gov-minobr/certificates', certificateToPem(stranger), 'application/x-pem-file');
    expect(r.status).toBe(201);
    expect((r.json as unknown as Uploaded).warnings.map((w) => w.code)).toEqual(['UNTRUSTED_CHAIN']);
    expect((r.json as unknown as Uploaded).certificates[0]).toMatchObject({ trustAnchor: null, qualified: false });
    const again = await post('/participants/gov-minobr/certificates', certificateToPem(stranger), 'application/x-pem-file');
    expect(again.status).toBe(200);
    expect((again.json as unknown as Uploaded).certificates[0]?.created).toBe(false);
    const other = await post('/participants/gov-minfin/certificates', certificateToPem(stranger), 'application/x-pem-file');
    expect(other.status).toBe(409);
    expect(other.json.code).toBe('CERTIFICATE_CONFLICT');
    expect((await post('/participants/nobody-here/certificates', certificateToPem(stranger), 'application/x-pem-file')).status).toBe(404);
    expect((await get('/participants/nobody-here/certificates')).status).toBe(404);
  });
});

describe('POST /admin/certificates/:fingerprint/revoke', () => {
  it('revokes locally (state, revokedAt, journal); a second revoke is 409; unknown 404; malformed 400', async () => {
    const now = gw.clock.now;
    const der = leafCertificate({ issuer: root, from: days(now, -1), to: days(now, 365) });
    await post('/participants/gov-minprom/certificates', certificateToPem(der), 'application/x-pem-file');
    const fp = opensslFingerprint(der);
    const colon = fp.toUpperCase().match(/../gu)?.join(':') ?? '';
    const r = await post(`/certificates/${colon}/revoke`, JSON.stringify({ reason: 'key compromise' }), 'application/json');
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ fingerprint: fp, state: 'revoked', revokedAt: now.toISOString() });
    const ev = gw.ctx.db.select().from(tables.events).where(eq(tables.events.type, 'certificate.revoked')).all();
    expect(ev.map((e) => JSON.parse(e.detailJson))).toContainEqual(expect.objectContaining({ fingerprint: fp, reason: 'key compromise', participantId: 'gov-minprom' }));
    expect((await post(`/certificates/${fp}/revoke`, '{}', 'application/json')).status).toBe(409);
    expect((await post(`/certificates/${'0'.repeat(64)}/revoke`, '{}', 'application/json')).status).toBe(404);
    expect((await post('/certificates/xyz/revoke', '{}', 'application/json')).status).toBe(400);
  });
});

describe('trust anchors', () => {
  it('lists the development root; adds a qualified CA that the running verifier sees; removes it again', async () => {
    const now = gw.clock.now;
    const list = await get('/trust-anchors');
    expect((list.json.items as { qualified: boolean; isCA: boolean }[])).toMatchObject([{ qualified: true, isCA: true }]);
    expect(gw.ctx.trustAnchors()).toHaveLength(1);

    const ca = caCertificate({ name: 'Accredited CA', from: days(now, -1), to: days(now, 3650) });
    const added = await post('/trust-anchors?qualified=true&label=Accredited%20CA', ca.certificate, 'application/pkix-cert');
    expect(added.status).toBe(201);
    expect(added.json).toMatchObject({ label: 'Accredited CA', qualified: true, fingerprint: opensslFingerprint(ca.certificate) });
    expect(gw.ctx.trustAnchors()).toHaveLength(2);
    expect(gw.ctx.trustAnchors().some((a) => a.certificate.equals(ca.certificate))).toBe(true);
    expect((await post('/trust-anchors', ca.certificate, 'application/pkix-cert')).json.code).toBe('TRUST_ANCHOR_EXISTS');

    // A certificate from the new CA now chains, and is qualified if it carries the profile.
    const leaf = leafCertificate({ issuer: ca, from: days(now, -1), to: days(now, 365) });
    const up = await post('/participants/demo-refinery/certificates', certificateToPem(leaf), 'application/x-pem-file');
    expect((up.json as unknown as Uploaded).certificates[0]?.trustAnchor).toBe('Accredited CA');
    expect((up.json as unknown as Uploaded).warnings).toEqual([]);

    const fp = opensslFingerprint(ca.certificate);
    const del = await gw.app.request(`/api/v1/admin/trust-anchors/${fp}`, { method: 'DELETE', headers: auth(gw.adminToken) });
    expect(del.status).toBe(200);
    expect(gw.ctx.trustAnchors()).toHaveLength(1);
    expect((await gw.app.request(`/api/v1/admin/trust-anchors/${fp}`, { method: 'DELETE', headers: auth(gw.adminToken) })).status).toBe(404);
    const types = gw.ctx.db.select().from(tables.events).all().map((e) => e.type);
    expect(types).toContain('trust-anchor.added');
    expect(types).toContain('trust-anchor.removed');
  });
  it('refuses an end-entity certificate, an expired CA, and a non-certificate', async () => {
    const now = gw.clock.now;
    const leaf = leafCertificate({ issuer: root, from: days(now, -1), to: days(now, 365) });
    const notCa = await post('/trust-anchors', certificateToPem(leaf), 'application/x-pem-file');
    expect(notCa.status).toBe(422);
    expect(notCa.json.code).toBe('TRUST_ANCHOR_NOT_CA');
    const old = caCertificate({ name: 'Old CA', from: days(now, -900), to: days(now, -1) });
    expect((await post('/trust-anchors', old.certificate, 'application/pkix-cert')).json.code).toBe('CERTIFICATE_EXPIRED');
    expect((await post('/trust-anchors', 'garbage', 'application/x-pem-file')).status).toBe(400);
    expect((await post('/trust-anchors?qualified=maybe', old.certificate, 'application/pkix-cert')).status).toBe(400);
    expect(gw.ctx.trustAnchors()).toHaveLength(1);
  });
});
