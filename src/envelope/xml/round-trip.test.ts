import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildEnvelopeXml, buildReceiptXml, parseEnvelopeXml, parseReceiptXml, RECEIPT_KINDS } from './index.ts';
import {
  ENVELOPE_XSD,
  RECEIPT_XSD,
  envelopeArbitrary,
  receiptArbitrary,
  sampleEnvelope,
  sampleReceipt,
  sampleReply,
  xmllint,
} from './test-fixtures.ts';

describe('envelope.xml build and parse', () => {
  it('writes a UTF-8 document with a declaration in the envelope namespace', () => {
    const xml = buildEnvelopeXml(sampleEnvelope()).toString('utf8');
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n')).toBe(true);
    expect(xml).toContain('<Envelope xmlns="urn:edx-gateway:envelope:1" version="1">');
    expect(xml).toContain('<Subject>О поставках нефтепродуктов &amp; &lt;прочем&gt;</Subject>');
    expect(xml).toContain('<Signature>files/Приложение 1.xlsx.2.p7s</Signature>');
  });

  it('validates against envelope.xsd with and without the optional parts (xmllint)', () => {
    const minimal = sampleEnvelope();
    minimal.sender = { id: 'a', name: 'A' };
    const results = xmllint(ENVELOPE_XSD, [sampleEnvelope(), sampleReply(), minimal].map(buildEnvelopeXml));
    for (const r of results) expect(r.output).toContain('validates');
    expect(results.every((r) => r.valid)).toBe(true);
  });

  it('parses what it builds back to the same model', () => {
    for (const e of [sampleEnvelope(), sampleReply()]) {
      expect(parseEnvelopeXml(buildEnvelopeXml(e))).toStrictEqual({ ok: true, value: e });
    }
  });

  it('keeps text such as "007", leading spaces and predefined/character references as written', () => {
    const e = sampleEnvelope();
    e.document.regNumber = '007';
    e.document.subject = '  x &lt; &amp;amp; &#x41; ';
    const xml = buildEnvelopeXml(e);
    expect(xml.toString()).toContain('<RegNumber>007</RegNumber>');
    expect(parseEnvelopeXml(xml)).toStrictEqual({ ok: true, value: e });

    // The same text written by another producer with references must decode to the same value.
    const foreign = xml
      .toString()
      .replace('<Subject>  x &amp;lt; &amp;amp;amp; &amp;#x41; </Subject>', '<Subject>&#x20; x &amp;lt; &amp;amp;amp; &amp;#x41;&#32;</Subject>')
      .replace('<RegNumber>007</RegNumber>', '<RegNumber>&#x30;0&#55;</RegNumber>');
    expect(foreign).not.toBe(xml.toString());
    expect(parseEnvelopeXml(Buffer.from(foreign))).toStrictEqual({ ok: true, value: e });
    const decoded = parseEnvelopeXml(Buffer.from(xml.toString().replace('<RegNumber>007</RegNumber>', '<RegNumber>&#x41;&lt;&gt;&amp;&quot;&apos;</RegNumber>')));
    expect(decoded.ok && decoded.value.document.regNumber).toBe('A<>&"\'');
  });

  it('escapes every ampersand, even text that looks like a reference ("&a;", "&amp;")', () => {
    // Regression: xmlbuilder2 writes "&name;" in text unescaped, so "&amp;" came back as "&".
    const e = sampleEnvelope();
    e.document.regNumber = '&a;a &amp; &#65;';
    const xml = buildEnvelopeXml(e);
    expect(xml.toString()).toContain('<RegNumber>&amp;a;a &amp;amp; &amp;#65;</RegNumber>');
    expect(parseEnvelopeXml(xml)).toStrictEqual({ ok: true, value: e });
  });

  it('accepts CDATA, comments and a UTF-8 byte order mark', () => {
    const xml = buildEnvelopeXml(sampleEnvelope())
      .toString()
      .replace('<RegNumber>01-15/007</RegNumber>', '<!-- note --><RegNumber><![CDATA[01-15/007]]></RegNumber>');
    const withBom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(xml)]);
    expect(parseEnvelopeXml(withBom)).toStrictEqual({ ok: true, value: sampleEnvelope() });
  });

  it('round-trips generated envelopes (property)', () => {
    fc.assert(
      fc.property(envelopeArbitrary, (e) => {
        expect(parseEnvelopeXml(buildEnvelopeXml(e))).toStrictEqual({ ok: true, value: e });
      }),
      { numRuns: 300 },
    );
  });

  it('writes generated envelopes that xmllint validates', () => {
    const samples = fc.sample(envelopeArbitrary, { numRuns: 12, seed: 42 });
    const results = xmllint(ENVELOPE_XSD, samples.map(buildEnvelopeXml));
    expect(results.filter((r) => !r.valid).map((r) => r.output)).toEqual([]);
  });

  it('refuses to build an invalid model (programming error)', () => {
    const e = sampleEnvelope();
    e.files = [];
    expect(() => buildEnvelopeXml(e)).toThrow(/files/);
  });
});

describe('receipt.xml build and parse', () => {
  it('writes every kind of receipt valid against receipt.xsd (xmllint) and parses it back', () => {
    const receipts = RECEIPT_KINDS.map(sampleReceipt);
    const results = xmllint(RECEIPT_XSD, receipts.map(buildReceiptXml));
    expect(results.filter((r) => !r.valid).map((r) => r.output)).toEqual([]);
    for (const r of receipts) expect(parseReceiptXml(buildReceiptXml(r))).toStrictEqual({ ok: true, value: r });
    const notDelivered = sampleReceipt('not-delivered');
    delete notDelivered.reason;
    expect(parseReceiptXml(buildReceiptXml(notDelivered))).toStrictEqual({ ok: true, value: notDelivered });
  });

  it('round-trips generated receipts (property) and xmllint validates a sample', () => {
    fc.assert(
      fc.property(receiptArbitrary, (r) => {
        expect(parseReceiptXml(buildReceiptXml(r))).toStrictEqual({ ok: true, value: r });
      }),
      { numRuns: 300 },
    );
    const samples = fc.sample(receiptArbitrary, { numRuns: 12, seed: 7 });
    const results = xmllint(RECEIPT_XSD, samples.map(buildReceiptXml));
    expect(results.filter((r) => !r.valid).map((r) => r.output)).toEqual([]);
  });

  it('refuses to build a registered receipt without its registration', () => {
    const r = sampleReceipt('registered');
    delete r.registration;
    expect(() => buildReceiptXml(r)).toThrow(/registration/);
  });
});
