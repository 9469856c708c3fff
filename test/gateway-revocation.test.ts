/**
 * The gateway checking revocation (EDX_REVOCATION=require): the development CA's CRL, re-issued by
 * the gateway from the certificates an administrator revoked, is what the validator checks every
 * signature against — a letter passes with revocation checked, and a revoked signer is refused.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tables } from '../src/db/index.ts';
import { auth, letterForm, startTestGateway, tokenOf, type TestGateway } from './helpers/gateway.ts';
import { tool } from './helpers/tools.ts';
import { join } from 'node:path';

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway({ revocation: 'require' });
});
afterAll(async () => {
  await gw.dispose();
});

describe('revocation required', () => {
  it('accepts a letter whose signers are on no CRL, and the report says the CRL was checked', async () => {
    const crl = tool('openssl', ['crl', '-in', join(gw.paths.pki, 'crl.pem'), '-CAfile', join(gw.paths.pki, 'root.pem'), '-noout']);
    expect(crl.stderr).toContain('verify OK');
    const sent = await gw.app.request('/api/v1/messages', { method: 'POST', body: letterForm({ to: ['gov-minprom'] }), headers: auth(tokenOf(gw, 'demo-refinery')) });
    expect(sent.status).toBe(202);
    const id = ((await sent.json()) as { messages: { id: string }[] }).messages[0]?.id ?? '';
    const view = (await (await gw.app.request(`/api/v1/messages/${id}`, { headers: auth(tokenOf(gw, 'demo-refinery')) })).json()) as {
      signatures: { indication: string; report: { revocation: { checked: boolean } } }[];
    };
    expect(view.signatures.length).toBe(2);
    for (const s of view.signatures) {
      expect(s.indication).toBe('TOTAL-PASSED');
      expect(s.report.revocation.checked).toBe(true);
    }
  });

  it('refuses a letter signed with a certificate revoked on the re-issued CRL', async () => {
    gw.ctx.db.update(tables.certificates).set({ state: 'revoked', revokedAt: new Date(gw.clock.now.getTime() - 3_600_000).toISOString() }).where(eq(tables.certificates.participantId, 'demo-supplier')).run();
    // The hosted key of a revoked certificate is no longer offered for signing; bring it back as
    // "active" in the registry while the CRL still lists it, as a stale registry would.
    await gw.refreshRevocation();
    gw.ctx.db.update(tables.certificates).set({ state: 'active' }).where(eq(tables.certificates.participantId, 'demo-supplier')).run();
    const listed = tool('openssl', ['crl', '-in', join(gw.paths.pki, 'crl.pem'), '-noout', '-text']);
    expect(listed.stdout).toContain('Serial Number');
    const sent = await gw.app.request('/api/v1/messages', { method: 'POST', body: letterForm({ to: ['gov-minprom'] }), headers: auth(tokenOf(gw, 'demo-supplier')) });
    expect(sent.status).toBe(422);
    const err = (await sent.json()) as { code: string; details: { signatures: { reports: { subIndication: string }[] }[] } };
    expect(err.code).toBe('SIGNATURE_INVALID');
    expect(err.details.signatures.flatMap((s) => s.reports.map((r) => r.subIndication))).toContain('REVOKED_NO_POE');
  });
});
