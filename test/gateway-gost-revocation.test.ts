/**
 * A gateway on GOST checking revocation (EDX_REVOCATION=require): the development CA's CRL is signed
 * with GOST R 34.10-2012 over Streebog, which node:crypto cannot verify, so the revocation checker
 * must verify it itself — a letter passes with revocation checked, and a revoked signer is refused.
 * Mirrors test/gateway-revocation.test.ts (ECDSA).
 */
import { eq } from 'drizzle-orm';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tables } from '../src/db/index.ts';
import { auth, letterForm, startTestGateway, tokenOf, type TestGateway } from './helpers/gateway.ts';
import { tool } from './helpers/tools.ts';

let gw: TestGateway;

/** OpenSSL's GOST engine checking a participant certificate against the gateway's CRL (RFC 5280 §6.3). */
function engineCrlCheck(participant: string): string {
  const r = tool('openssl', ['verify', '-engine', 'gost', '-crl_check', '-CAfile', join(gw.paths.pki, 'root.pem'), '-CRLfile', join(gw.paths.pki, 'crl.pem'), join(gw.paths.pki, `${participant}.cert.pem`)]);
  return `${r.stdout}${r.stderr}`;
}

beforeAll(async () => {
  gw = await startTestGateway({ pkiAlgorithm: 'gost2012-256', revocation: 'require' });
});
afterAll(async () => {
  await gw.dispose();
});

describe('revocation required on a GOST gateway', () => {
  it('accepts a letter whose signers are on no CRL, and the report says the CRL was checked', async () => {
    const crl = tool('openssl', ['crl', '-in', join(gw.paths.pki, 'crl.pem'), '-noout', '-text']);
    expect(crl.stdout).toMatch(/Signature Algorithm: (GOST R 34\.10-2012 with GOST R 34\.11-2012 \(256 bit\)|1\.2\.643\.7\.1\.1\.3\.2)/u);
    expect(engineCrlCheck('demo-refinery')).toContain(': OK');
    const sent = await gw.app.request('/api/v1/messages', { method: 'POST', body: letterForm({ to: ['gov-minprom'] }), headers: auth(tokenOf(gw, 'demo-refinery')) });
    const body = await sent.text();
    expect(sent.status, body).toBe(202);
    const id = (JSON.parse(body) as { messages: { id: string }[] }).messages[0]?.id ?? '';
    const view = (await (await gw.app.request(`/api/v1/messages/${id}`, { headers: auth(tokenOf(gw, 'demo-refinery')) })).json()) as {
      signatures: { indication: string; report: { signatureAlgorithm: string; revocation: { checked: boolean } } }[];
    };
    expect(view.signatures.length).toBe(2);
    for (const s of view.signatures) {
      expect(s.indication).toBe('TOTAL-PASSED');
      expect(s.report.signatureAlgorithm).toMatch(/^gost2012/u);
      expect(s.report.revocation.checked).toBe(true);
    }
  });

  it('refuses a letter signed with a certificate revoked on the re-issued GOST CRL', async () => {
    gw.ctx.db.update(tables.certificates).set({ state: 'revoked', revokedAt: new Date(gw.clock.now.getTime() - 3_600_000).toISOString() }).where(eq(tables.certificates.participantId, 'demo-supplier')).run();
    // As in the ECDSA test: a stale registry still offers the hosted key while the CRL lists it.
    await gw.refreshRevocation();
    gw.ctx.db.update(tables.certificates).set({ state: 'active' }).where(eq(tables.certificates.participantId, 'demo-supplier')).run();
    expect(engineCrlCheck('demo-supplier')).toContain('certificate revoked');
    expect(engineCrlCheck('demo-refinery')).toContain(': OK');
    const sent = await gw.app.request('/api/v1/messages', { method: 'POST', body: letterForm({ to: ['gov-minprom'] }), headers: auth(tokenOf(gw, 'demo-supplier')) });
    expect(sent.status).toBe(422);
    const err = (await sent.json()) as { code: string; details: { signatures: { reports: { subIndication: string }[] }[] } };
    expect(err.code).toBe('SIGNATURE_INVALID');
    expect(err.details.signatures.flatMap((s) => s.reports.map((r) => r.subIndication))).toContain('REVOKED_NO_POE');
  });
});
