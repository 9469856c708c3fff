/**
 * The one judgement of a TSA path's revocation at genTime that the validator and the gateway share:
 * planned links, and each kind of RevocationCheckResult mapped to good / revoked / try-later.
 */
import { describe, expect, it } from 'vitest';
import type { CertificateRevocationOutcome, RevocationCheckResult } from '../revocation/index.ts';
import { judgeTsaRevocation, planTsaRevocation } from './tsa-revocation.ts';

const GEN = new Date('2026-03-01T10:00:00Z');
const tsaCert = Buffer.from('tsa');
const caCert = Buffer.from('ca');
const rootCert = Buffer.from('root');

function outcome(o: Partial<CertificateRevocationOutcome> & Pick<CertificateRevocationOutcome, 'status'>): CertificateRevocationOutcome {
  return { serialNumber: '01', subject: 'CN=x', source: o.status === 'try-later' ? null : 'crl', problems: [], origin: 'CRL at hand', ...o };
}

function result(status: RevocationCheckResult['status'], certificates: CertificateRevocationOutcome[]): RevocationCheckResult {
  return { status, certificates, evidence: { crls: [], ocsp: [] } };
}

const judge = (r: RevocationCheckResult | null) => judgeTsaRevocation({ name: 'the token', tsa: 'CN=TSA', genTime: GEN, result: r });

describe('planTsaRevocation', () => {
  it('links each certificate of the path to its issuer; the anchor itself is not checked', () => {
    expect(planTsaRevocation([tsaCert, caCert, rootCert], 'require')).toEqual({
      check: true,
      chain: [
        { certificate: tsaCert, issuer: caCert },
        { certificate: caCert, issuer: rootCert },
      ],
    });
  });
  it('checks nothing under policy skip, or when the TSA certificate is the anchor', () => {
    expect(planTsaRevocation([tsaCert, caCert], 'skip')).toEqual({ check: false, note: 'TSA certificate revocation not checked (skipped by policy)' });
    expect(planTsaRevocation([tsaCert], 'require')).toEqual({ check: false, note: 'the TSA certificate is itself a trust anchor' });
  });
});

describe('judgeTsaRevocation', () => {
  it('good: names the deciding source', () => {
    const j = judge(result('good', [outcome({ status: 'good', origin: 'CRL http://ca/crl' })]));
    expect(j).toEqual({ status: 'good', note: 'TSA certificate not revoked at genTime (CRL http://ca/crl)', warnings: [] });
  });

  it('good with a revocation after genTime: the token stands, with a warning', () => {
    const later = new Date(GEN.getTime() + 60_000);
    const j = judge(result('good', [outcome({ status: 'revoked', revokedAt: later, reason: 'keyCompromise' })]));
    expect(j.status).toBe('good');
    if (j.status === 'good') expect(j.warnings).toEqual([`the TSA certificate CN=TSA was revoked at ${later.toISOString()}, after the genTime ${GEN.toISOString()} of the token`]);
  });

  it('revoked at genTime (not after it): no proof of existence, naming the certificate, time and reason', () => {
    const j = judge(result('revoked', [outcome({ status: 'revoked', revokedAt: GEN, reason: 'keyCompromise' })]));
    expect(j).toEqual({
      status: 'revoked',
      message: `the token is no proof of existence: the TSA certificate CN=TSA was revoked at ${GEN.toISOString()} (keyCompromise), not after the genTime ${GEN.toISOString()} (CRL at hand)`,
    });
  });

  it('a revoked CA certificate of the TSA path is named as such', () => {
    const before = new Date(GEN.getTime() - 1);
    const j = judge(result('revoked', [outcome({ status: 'good' }), outcome({ status: 'revoked', subject: 'CN=TSA CA', revokedAt: before })]));
    expect(j.status).toBe('revoked');
    if (j.status === 'revoked') expect(j.message).toContain('CA certificate CN=TSA CA of the TSA was revoked');
  });

  it('try-later: OCSP unknown or no usable data, never a pass', () => {
    const j = judge(result('try-later', [outcome({ status: 'unknown', source: 'ocsp', subject: 'CN=TSA' }), outcome({ status: 'try-later', subject: 'CN=TSA CA', problems: ['CRL http://ca/crl: HTTP_STATUS'] })]));
    expect(j.status).toBe('try-later');
    if (j.status === 'try-later') {
      expect(j.message).toContain('CN=TSA: the OCSP responder answered unknown');
      expect(j.message).toContain('CN=TSA CA: CRL http://ca/crl: HTTP_STATUS');
    }
  });

  it('no source at all: try-later, saying so', () => {
    const j = judge(null);
    expect(j.status).toBe('try-later');
    if (j.status === 'try-later') expect(j.message).toContain('no CRL or OCSP source configured');
  });
});
