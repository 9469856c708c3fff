/**
 * The enveloped-signature verifier against xmlsec1 (libxmlsec1, an independent implementation):
 * lists xmlsec1 signs must verify, tampered and wrapped ones must be refused with the right code,
 * and the test signer's output must pass `xmlsec1 --verify`.
 */
import { execFileSync } from 'node:child_process';
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scratch, signatureTemplate, testListXml, xmlsecSign, xmlsecVerifies, type Scratch, type TestKey } from '../trusted-list/test-lists.ts';
import { C14N } from './algorithms.ts';
import { generatedDeclarations, generatedElement, renderDeclarations, renderGenerated } from './test-arbitraries.ts';
import { signEnvelopedForTest } from './test-signer.ts';
import { verifyEnvelopedSignature, type VerifyEnvelopedOptions } from './verify-enveloped.ts';

const ALG = {
  rsaSha256: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  rsaSha512: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512',
  rsaPss256: 'http://www.w3.org/2007/05/xmldsig-more#sha256-rsa-MGF1',
  ecdsaSha256: 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256',
  ecdsaSha384: 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384',
  sha1: 'http://www.w3.org/2000/09/xmldsig#sha1',
  sha384: 'http://www.w3.org/2001/04/xmldsig-more#sha384',
  sha512: 'http://www.w3.org/2001/04/xmlenc#sha512',
};

let s: Scratch;
let rsa: TestKey;
let ec: TestKey;
let other: TestKey;
let ca: TestKey;
let rsaKey: KeyObject;
let ecKey: KeyObject;

beforeAll(() => {
  s = scratch();
  rsa = s.key('TL signer RSA', 'rsa');
  ec = s.key('TL signer EC', 'ec');
  other = s.key('Someone else', 'rsa');
  ca = s.key('Тестовый УЦ', 'rsa', true);
  rsaKey = createPrivateKey(readFileSync(rsa.keyPath));
  ecKey = createPrivateKey(readFileSync(ec.keyPath));
});
afterAll(() => s.dispose());

const list = (template: Parameters<typeof testListXml>[0]['template'] = {}): string =>
  testListXml({ services: [{ name: 'Qualified CA & <Co>', certificates: [ca.der] }, { name: 'Другой сервис', certificates: [ca.der] }], template });

function verdict(xml: string | Uint8Array, options: VerifyEnvelopedOptions = {}): string {
  const r = verifyEnvelopedSignature(typeof xml === 'string' ? Buffer.from(xml, 'utf8') : xml, options);
  return r.ok ? 'OK' : r.error.code;
}

describe('lists signed by xmlsec1 verify', () => {
  const cases: [string, () => TestKey, Parameters<typeof signatureTemplate>[0], boolean][] = [
    ['RSA, exc-c14n, URI=""', () => rsa, {}, false],
    ['ECDSA P-256, exc-c14n, URI=""', () => ec, { signatureMethod: ALG.ecdsaSha256 }, false],
    ['ECDSA P-256, SHA-384 digest, exc-c14n with comments', () => ec, { signatureMethod: ALG.ecdsaSha384, digestMethod: ALG.sha384, c14n: C14N.exclusiveWithComments }, false],
    ['RSA-SHA512, inclusive c14n', () => rsa, { signatureMethod: ALG.rsaSha512, digestMethod: ALG.sha512, c14n: C14N.inclusive }, false],
    ['RSA, inclusive c14n with comments', () => rsa, { c14n: C14N.inclusiveWithComments }, false],
    ['RSA, exc-c14n with an InclusiveNamespaces PrefixList', () => rsa, { prefixList: 'tsl ds #default' }, false],
    ['RSA, URI="#TL" (the root Id)', () => rsa, { uri: '#TL' }, true],
  ];
  for (const [name, key, template, idAttr] of cases) {
    it(name, () => {
      const signed = xmlsecSign(s, list(template), key(), idAttr);
      const r = verifyEnvelopedSignature(signed);
      if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
      expect(r.value.signerCertificate.equals(key().der)).toBe(true);
      expect(r.value.warnings).toEqual([]);
    });
  }
});

describe('generated documents (fast-check) signed by one implementation verify in the other', () => {
  const c14ns = [C14N.exclusive, C14N.exclusiveWithComments, C14N.inclusive, C14N.inclusiveWithComments];
  const documentArb = fc.record({
    rootDecls: generatedDeclarations,
    kids: fc.array(generatedElement(3), { minLength: 1, maxLength: 2 }),
    c14n: fc.constantFrom(...c14ns),
    prefixList: fc.option(fc.subarray(['a', 'b', 'p', 'ns1', 'tsl', '#default'], { minLength: 1 }), { nil: undefined }),
    ec: fc.boolean(),
  });
  const body = (d: { rootDecls: [string, string][]; kids: Parameters<typeof renderGenerated>[0][] }, signature: string): string => {
    const root = renderDeclarations(d.rootDecls, new Map([['tsl', 'http://uri.etsi.org/02231/v2#']]));
    return `<tsl:TrustServiceStatusList xmlns:tsl="http://uri.etsi.org/02231/v2#" xmlns:ds="http://www.w3.org/2000/09/xmldsig#"${root.text}>${d.kids.map((k) => renderGenerated(k, root.scope)).join('')}${signature}</tsl:TrustServiceStatusList>`;
  };

  it('xmlsec1 signs, we verify (RSA and ECDSA, all four canonicalisations, PrefixLists)', () => {
    fc.assert(
      fc.property(documentArb, (d) => {
        const exclusive = d.c14n.startsWith(C14N.exclusive);
        const template = signatureTemplate({
          c14n: d.c14n,
          ...(d.ec ? { signatureMethod: ALG.ecdsaSha256 } : {}),
          ...(exclusive && d.prefixList !== undefined ? { prefixList: d.prefixList.join(' ') } : {}),
        });
        const signed = xmlsecSign(s, body(d, template), d.ec ? ec : rsa);
        const r = verifyEnvelopedSignature(signed);
        if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}\n${signed.toString('utf8')}`);
      }),
      { numRuns: 40 },
    );
  });

  it('the test signer signs, xmlsec1 verifies', () => {
    fc.assert(
      fc.property(documentArb, (d) => {
        const xml = signEnvelopedForTest({ xml: body(d, ''), privateKey: d.ec ? ecKey : rsaKey, certificateDer: (d.ec ? ec : rsa).der, signatureMethod: d.ec ? ALG.ecdsaSha256 : ALG.rsaSha256, canonicalizationMethod: d.c14n });
        expect(verdict(xml)).toBe('OK');
        expect(xmlsecVerifies(s, Buffer.from(xml), (d.ec ? ec : rsa).certPath)).toBe(true);
      }),
      { numRuns: 30 },
    );
  });
});

describe('XAdES-shaped signatures, as the EU trusted lists carry them', () => {
  it('verifies the document reference and the SignedProperties reference, and notices a changed SigningTime', () => {
    const xades =
      '<ds:Signature Id="sig-1"><ds:SignedInfo><ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/><ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/>' +
      '<ds:Reference Id="r-1" URI=""><ds:Transforms><ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/><ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/></ds:Transforms><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue/></ds:Reference>' +
      '<ds:Reference Type="http://uri.etsi.org/01903#SignedProperties" URI="#xades-sig-1"><ds:Transforms><ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/></ds:Transforms><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue/></ds:Reference>' +
      '</ds:SignedInfo><ds:SignatureValue/><ds:KeyInfo><ds:X509Data/></ds:KeyInfo><ds:Object><xades:QualifyingProperties xmlns:xades="http://uri.etsi.org/01903/v1.3.2#" Target="#sig-1"><xades:SignedProperties Id="xades-sig-1"><xades:SignedSignatureProperties><xades:SigningTime>2026-01-01T00:00:00Z</xades:SigningTime></xades:SignedSignatureProperties></xades:SignedProperties></xades:QualifyingProperties></ds:Object></ds:Signature>';
    const xml = list(false).replace('</tsl:TrustServiceStatusList>', `${xades}</tsl:TrustServiceStatusList>`);
    const signed = xmlsecSignRaw(xml, ['--id-attr:Id', 'http://uri.etsi.org/01903/v1.3.2#:SignedProperties']);
    const r = verifyEnvelopedSignature(Buffer.from(signed));
    if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
    expect(r.value.references.map((x) => [x.uri, x.type])).toEqual([
      ['', null],
      ['#xades-sig-1', 'http://uri.etsi.org/01903#SignedProperties'],
    ]);
    expect(verdict(signed.replace('2026-01-01T00:00:00Z', '2026-01-02T00:00:00Z'))).toBe('XMLDSIG_DIGEST_MISMATCH');
  });
});

describe('tampered, wrapped and unsigned lists are refused', () => {
  let signed: string;
  beforeAll(() => {
    signed = xmlsecSign(s, list(), rsa).toString('utf8');
  });

  it('one byte of a service name changed: XMLDSIG_DIGEST_MISMATCH', () => {
    expect(verdict(signed)).toBe('OK');
    expect(verdict(signed.replace('Другой сервис', 'Другой сервиз'))).toBe('XMLDSIG_DIGEST_MISMATCH');
    expect(verdict(signed.replace('Qualified CA &amp;', 'Qualified CB &amp;'))).toBe('XMLDSIG_DIGEST_MISMATCH');
  });

  it('a service certificate swapped: XMLDSIG_DIGEST_MISMATCH', () => {
    const b64 = ca.der.toString('base64');
    expect(signed).toContain(b64);
    expect(verdict(signed.replace(b64, other.der.toString('base64')))).toBe('XMLDSIG_DIGEST_MISMATCH');
  });

  it('the KeyInfo certificate swapped, or the SignatureValue changed: XMLDSIG_BAD_SIGNATURE', () => {
    const keyInfoCert = /<ds:X509Certificate>([^<]+)<\/ds:X509Certificate>/u.exec(signed)?.[1] ?? '';
    expect(keyInfoCert.length).toBeGreaterThan(100);
    expect(verdict(signed.replace(keyInfoCert, other.der.toString('base64')))).toBe('XMLDSIG_BAD_SIGNATURE');
    const value = /<ds:SignatureValue>([^<]+)<\/ds:SignatureValue>/u.exec(signed)?.[1] ?? '';
    const flipped = (value.startsWith('A') ? 'B' : 'A') + value.slice(1);
    expect(verdict(signed.replace(value, flipped))).toBe('XMLDSIG_BAD_SIGNATURE');
  });

  it('the signature moved below another element, or a second one added: XMLDSIG_WRAPPING', () => {
    const sig = /<ds:Signature[\s\S]*<\/ds:Signature>/u.exec(signed)?.[0] ?? '';
    const without = signed.replace(sig, '');
    expect(verdict(without.replace('</tsl:SchemeInformation>', `${sig}</tsl:SchemeInformation>`))).toBe('XMLDSIG_WRAPPING');
    expect(verdict(signed.replace('</tsl:SchemeInformation>', `${sig}</tsl:SchemeInformation>`))).toBe('XMLDSIG_WRAPPING');
  });

  it('a Reference to an element other than the document element: XMLDSIG_WRAPPING', () => {
    const xml = list(false).replace('<tsl:SchemeInformation>', '<tsl:SchemeInformation Id="scheme">').replace('</tsl:TrustServiceStatusList>', `${signatureTemplate({ uri: '#scheme' })}</tsl:TrustServiceStatusList>`);
    const wrapped = xmlsecSignWithId(xml, 'SchemeInformation');
    expect(xmlsecVerifiesWithId(wrapped, 'SchemeInformation')).toBe(true);
    expect(verdict(wrapped)).toBe('XMLDSIG_WRAPPING');
  });

  it('the classic wrapping: a forged root carrying the signed original with the same Id: XMLDSIG_WRAPPING', () => {
    const byId = xmlsecSign(s, list({ uri: '#TL' }), rsa, true).toString('utf8');
    expect(verdict(byId)).toBe('OK');
    const sig = /<ds:Signature[\s\S]*<\/ds:Signature>/u.exec(byId)?.[0] ?? '';
    const original = byId.replace(/^<\?xml[^>]*>\s*/u, '').replace(sig, '');
    const forged = byId.replace('Qualified CA &amp;', 'Evil CA &amp;').replace(sig, sig.replace('</ds:Signature>', `<ds:Object>${original}</ds:Object></ds:Signature>`));
    expect(verdict(forged)).toBe('XMLDSIG_WRAPPING');
    // And with the Id removed from the forged root the reference finds only the copy: still refused.
    expect(verdict(forged.replace(/(<tsl:TrustServiceStatusList[^>]*) Id="TL"/u, '$1'))).toBe('XMLDSIG_WRAPPING');
  });

  it('an unsigned list: XMLDSIG_NO_SIGNATURE', () => {
    expect(verdict(list(false))).toBe('XMLDSIG_NO_SIGNATURE');
  });

  it('hostile XML around a signature: XML_* before any signature work', () => {
    expect(verdict(`<!DOCTYPE x [<!ENTITY e "e">]>${signed.replace(/^<\?xml[^>]*>/u, '')}`)).toBe('XML_DTD_FORBIDDEN');
    expect(verdict(signed.replace('Другой сервис', '&e;'))).toBe('XML_ENTITY_FORBIDDEN');
    expect(verdict(signed, { limits: { maxBytes: 1000 } })).toBe('XML_TOO_LARGE');
  });

  it('SHA-1 digests are refused unless explicitly allowed, then accepted with a warning', () => {
    const sha1 = xmlsecSign(s, list({ digestMethod: ALG.sha1 }), rsa);
    expect(verdict(sha1)).toBe('XMLDSIG_UNSUPPORTED_ALGORITHM');
    const r = verifyEnvelopedSignature(sha1, { allowSha1: true });
    expect(r.ok && r.value.warnings.length).toBe(1);
  });

  it('an XPath transform is not supported: XMLDSIG_UNSUPPORTED_ALGORITHM', () => {
    const xpath = signed.replace(
      '<ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/>',
      '<ds:Transform Algorithm="http://www.w3.org/TR/1999/REC-xpath-19991116"><ds:XPath>not(ancestor-or-self::ds:Signature)</ds:XPath></ds:Transform>',
    );
    expect(verdict(xpath)).toBe('XMLDSIG_UNSUPPORTED_ALGORITHM');
  });

  it('a DER-encoded ECDSA value (not r||s) does not verify', () => {
    const ecSigned = xmlsecSign(s, list({ signatureMethod: ALG.ecdsaSha256 }), ec).toString('utf8');
    const value = /<ds:SignatureValue>([^<]+)<\/ds:SignatureValue>/u.exec(ecSigned)?.[1] ?? '';
    const raw = Buffer.from(value.replace(/\s+/gu, ''), 'base64');
    expect(raw.length).toBe(64);
    const int = (b: Buffer): Buffer => {
      let i = 0;
      while (i < b.length - 1 && b[i] === 0) i += 1;
      const v = b.subarray(i);
      return (v[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0x02, v.length + 1, 0]), v]) : Buffer.concat([Buffer.from([0x02, v.length]), v]);
    };
    const body = Buffer.concat([int(raw.subarray(0, 32)), int(raw.subarray(32))]);
    const der = Buffer.concat([Buffer.from([0x30, body.length]), body]);
    expect(verdict(ecSigned)).toBe('OK');
    expect(verdict(ecSigned.replace(value, der.toString('base64')))).toBe('XMLDSIG_BAD_SIGNATURE');
  });
});

describe('the test signer agrees with xmlsec1', () => {
  const cases: [string, () => { key: KeyObject; cert: TestKey }, string, string, string | undefined, string][] = [
    ['RSA-SHA256, exc-c14n, ds prefix', () => ({ key: rsaKey, cert: rsa }), ALG.rsaSha256, C14N.exclusive, undefined, 'ds'],
    ['ECDSA-SHA384, inclusive c14n, default namespace', () => ({ key: ecKey, cert: ec }), ALG.ecdsaSha384, C14N.inclusive, ALG.sha384, ''],
    ['RSA-SHA512, exc-c14n with comments, other prefix', () => ({ key: rsaKey, cert: rsa }), ALG.rsaSha512, C14N.exclusiveWithComments, ALG.sha512, 'sig'],
  ];
  for (const [name, keys, sigAlg, c14n, digest, prefix] of cases) {
    it(name, () => {
      const { key, cert } = keys();
      const xml = signEnvelopedForTest({ xml: list(false), privateKey: key, certificateDer: cert.der, signatureMethod: sigAlg, canonicalizationMethod: c14n, prefix, ...(digest === undefined ? {} : { digestMethod: digest }) });
      expect(verdict(xml)).toBe('OK');
      expect(xmlsecVerifies(s, Buffer.from(xml), cert.certPath)).toBe(true);
      expect(xmlsecVerifies(s, Buffer.from(xml.replace('Другой сервис', 'Другой сервиз')), cert.certPath)).toBe(false);
    });
  }

  it('RSA-PSS (xmldsig-more#sha256-rsa-MGF1, which xmlsec1 1.2 lacks) verifies, and a changed list does not', () => {
    const xml = signEnvelopedForTest({ xml: list(false), privateKey: rsaKey, certificateDer: rsa.der, signatureMethod: ALG.rsaPss256 });
    expect(verdict(xml)).toBe('OK');
    expect(verdict(xml.replace('Другой сервис', 'Другой сервиз'))).toBe('XMLDSIG_DIGEST_MISMATCH');
    expect(verdict(xml.replace(ALG.rsaPss256, ALG.rsaSha256))).toBe('XMLDSIG_BAD_SIGNATURE');
  });
});

function xmlsecSignWithId(xml: string, element: string): string {
  return xmlsecSignRaw(xml, ['--id-attr:Id', element]);
}

let raw = 0;
function xmlsecSignRaw(xml: string, extra: string[]): string {
  raw += 1;
  const input = s.write(`raw-${raw}.xml`, xml);
  const output = `${input}.signed`;
  execFileSync('xmlsec1', ['--sign', ...extra, '--privkey-pem', `${rsa.keyPath},${rsa.certPath}`, '--output', output, input], { stdio: 'pipe' });
  return readFileSync(output, 'utf8');
}

function xmlsecVerifiesWithId(xml: string, element: string): boolean {
  raw += 1;
  const input = s.write(`raw-verify-${raw}.xml`, xml);
  try {
    execFileSync('xmlsec1', ['--verify', '--id-attr:Id', element, '--trusted-pem', rsa.certPath, input], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}
