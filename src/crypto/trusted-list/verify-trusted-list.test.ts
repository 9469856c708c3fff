/** TS 119 612 lists signed by xmlsec1: content, qualification, pinning, freshness, rollback. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVICE_STATUS_GRANTED, SERVICE_TYPE_CA_QC } from './parse-trusted-list.ts';
import { scratch, testListXml, xmlsecSign, type Scratch, type TestKey, type TestListOptions } from './test-lists.ts';
import { verifyTrustedList, type VerifyTrustedListInput } from './verify-trusted-list.ts';

const WITHDRAWN = 'http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/withdrawn';
const CA_PKC = 'http://uri.etsi.org/TrstSvc/Svctype/CA/PKC';
const TSA_QTST = 'http://uri.etsi.org/TrstSvc/Svctype/TSA/QTST';
const NOW = new Date('2026-06-01T00:00:00Z');

let s: Scratch;
let signer: TestKey;
let ecSigner: TestKey;
let qcCa: TestKey;
let oldCa: TestKey;
let pkcCa: TestKey;

beforeAll(() => {
  s = scratch();
  signer = s.key('SE TL signer', 'rsa');
  ecSigner = s.key('SE TL signer EC', 'ec');
  qcCa = s.key('Qualified CA', 'rsa', true);
  oldCa = s.key('Withdrawn CA', 'ec', true);
  pkcCa = s.key('Non-qualified CA', 'rsa', true);
});
afterAll(() => s.dispose());

function services(): TestListOptions['services'] {
  return [
    { tspName: 'Trust AB', name: 'Qualified CA', certificates: [qcCa.der] },
    { tspName: 'Trust AB', name: 'Old CA', status: WITHDRAWN, certificates: [oldCa.der] },
    { tspName: 'Other AB', name: 'PKC CA', type: CA_PKC, certificates: [pkcCa.der] },
    { tspName: 'Other AB', name: 'Timestamps', type: TSA_QTST, certificates: [qcCa.der] },
  ];
}

function signed(options: Partial<TestListOptions> = {}, key: TestKey = signer): Buffer {
  const ec = key === ecSigner ? { signatureMethod: 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256' } : {};
  return xmlsecSign(s, testListXml({ services: services(), template: ec, ...options }), key);
}

function verify(xml: Uint8Array, extra: Partial<VerifyTrustedListInput> = {}) {
  return verifyTrustedList({ xml, pinnedSignerFingerprints: [signer.fingerprint, ecSigner.fingerprint], now: NOW, ...extra });
}

describe('verifyTrustedList', () => {
  it('reads the scheme information and marks granted CA/QC services qualified', () => {
    const r = verify(signed({ sequenceNumber: 42, territory: 'SE', issued: '2026-01-01T00:00:00Z', nextUpdate: '2026-12-01T00:00:00Z' }));
    if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
    const { list } = r.value;
    expect([list.versionIdentifier, list.sequenceNumber, list.territory, list.operatorName, list.issued, list.nextUpdate]).toEqual([
      5,
      42,
      'SE',
      'Test supervisory body',
      '2026-01-01T00:00:00.000Z',
      '2026-12-01T00:00:00.000Z',
    ]);
    expect(list.services.map((x) => [x.tspName, x.serviceName, x.qualified])).toEqual([
      ['Trust AB', 'Qualified CA', true],
      ['Trust AB', 'Old CA', false],
      ['Other AB', 'PKC CA', false],
      ['Other AB', 'Timestamps', false],
    ]);
    expect(list.services[0]?.serviceType).toBe(SERVICE_TYPE_CA_QC);
    expect(list.services[0]?.status).toBe(SERVICE_STATUS_GRANTED);
    expect(list.services[0]?.certificates[0]?.equals(qcCa.der)).toBe(true);
    expect(r.value.signerFingerprint).toBe(signer.fingerprint);
    // The openssl test signer was made today, after this list's ListIssueDateTime.
    expect(r.value.warnings).toEqual([expect.stringContaining('was not valid when the list was issued')]);
    const fresh = verify(signed());
    expect(fresh.ok && fresh.value.warnings).toEqual([]);
  });

  it('reads names whole when an unsigned comment is slipped inside them (the SAML comment-truncation trick)', () => {
    const xml = signed().toString('utf8').replace('>Qualified CA</tsl:Name>', '>Qualified<!-- unsigned --> CA</tsl:Name>');
    expect(xml).toContain('<!-- unsigned -->');
    const r = verify(Buffer.from(xml));
    // Comments are outside the signed node-set, so the signature still holds; the name must too.
    expect(r.ok && r.value.list.services[0]?.serviceName).toBe('Qualified CA');
  });

  it('accepts an ECDSA P-256 signed list', () => {
    const r = verify(signed({}, ecSigner));
    expect(r.ok ? r.value.signerFingerprint : r.error.code).toBe(ecSigner.fingerprint);
  });

  it('refuses a list signed by a certificate that is not pinned: TL_SIGNER_NOT_PINNED', () => {
    const r = verify(signed(), { pinnedSignerFingerprints: [ecSigner.fingerprint] });
    expect(r.ok ? 'OK' : r.error.code).toBe('TL_SIGNER_NOT_PINNED');
    expect(verify(signed(), { pinnedSignerFingerprints: [] }).ok).toBe(false);
  });

  it('refuses an expired or closed list unless explicitly allowed: TL_EXPIRED', () => {
    const expired = signed({ nextUpdate: '2026-05-31T23:59:59Z' });
    const r = verify(expired);
    expect(r.ok ? 'OK' : r.error.code).toBe('TL_EXPIRED');
    const allowed = verify(expired, { allowExpired: true });
    expect(allowed.ok && allowed.value.warnings.some((w) => w.includes('expired'))).toBe(true);
    const closed = verify(signed({ nextUpdate: null }));
    expect(closed.ok ? 'OK' : closed.error.code).toBe('TL_EXPIRED');
  });

  it('refuses an older list than the last imported: TL_ROLLBACK', () => {
    const seven = signed({ sequenceNumber: 7 });
    const first = verify(seven);
    if (!first.ok) throw new Error(first.error.message);
    const sha = first.value.listSha256;
    const r = verify(seven, { lastImported: { SE: { sequenceNumber: 8, listSha256: 'x' } } });
    expect(r.ok ? 'OK' : r.error.code).toBe('TL_ROLLBACK');
    expect(verify(seven, { lastImported: { SE: { sequenceNumber: 7, listSha256: sha } } }).ok).toBe(true);
    expect(verify(seven, { lastImported: { DE: { sequenceNumber: 8, listSha256: 'x' } } }).ok).toBe(true);
    // The same number with other content (here: re-signed, other bytes) is a rollback too.
    const resigned = verify(signed({ sequenceNumber: 7, issued: '2026-01-02T00:00:00Z' }), { lastImported: { SE: { sequenceNumber: 7, listSha256: sha } } });
    expect(resigned.ok ? 'OK' : resigned.error.code).toBe('TL_ROLLBACK');
  });

  it('refuses other versions and documents that are not trusted lists, after their signature', () => {
    const v4 = verify(signed({ version: 4 }));
    expect(v4.ok ? 'OK' : v4.error.code).toBe('TL_UNSUPPORTED_VERSION');
    const v6 = verify(signed({ version: 6 }));
    expect(v6.ok ? v6.value.list.versionIdentifier : v6.error.code).toBe(6);
    const foreign = testListXml({ services: [], template: {} }).replaceAll('http://uri.etsi.org/02231/v2#', 'urn:not-a-list');
    const r = verify(xmlsecSign(s, foreign, signer));
    expect(r.ok ? 'OK' : r.error.code).toBe('TL_NOT_A_TRUSTED_LIST');
  });

  it('refuses unsigned, tampered and hostile lists with the verifier codes', () => {
    const unsigned = verify(Buffer.from(testListXml({ services: services(), template: false })));
    expect(unsigned.ok ? 'OK' : unsigned.error.code).toBe('XMLDSIG_NO_SIGNATURE');
    const tampered = verify(Buffer.from(signed().toString('utf8').replace('Qualified CA', 'Qualified CB')));
    expect(tampered.ok ? 'OK' : tampered.error.code).toBe('XMLDSIG_DIGEST_MISMATCH');
    const huge = verify(signed(), { signature: { limits: { maxBytes: 4096 } } });
    expect(huge.ok ? 'OK' : huge.error.code).toBe('XML_TOO_LARGE');
    const dtd = verify(Buffer.from(`<!DOCTYPE x [<!ENTITY a "a">]>${signed().toString('utf8').replace(/^<\?xml[^>]*>/u, '')}`));
    expect(dtd.ok ? 'OK' : dtd.error.code).toBe('XML_DTD_FORBIDDEN');
  });
});
