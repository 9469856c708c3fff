import { describe, expect, it } from 'vitest';
import { buildEnvelopeXml, buildReceiptXml, parseEnvelopeXml, parseReceiptXml, type XmlErrorCode, type XmlResult } from './index.ts';
import { ENVELOPE_XSD, RECEIPT_XSD, sampleEnvelope, sampleReceipt, xmllint } from './test-fixtures.ts';

const GOOD = buildEnvelopeXml(sampleEnvelope()).toString('utf8');

function codeOf<T>(result: XmlResult<T>): XmlErrorCode | 'OK' {
  return result.ok ? 'OK' : result.error.code;
}

function envelopeCode(xml: string | Uint8Array): XmlErrorCode | 'OK' {
  return codeOf(parseEnvelopeXml(typeof xml === 'string' ? Buffer.from(xml, 'utf8') : xml));
}

/** The good envelope with one textual substitution, asserting the substitution happened. */
function edited(from: string | RegExp, to: string | ((match: string, ...groups: string[]) => string)): string {
  const out = typeof to === 'string' ? GOOD.replace(from, to) : GOOD.replace(from, to);
  expect(out).not.toBe(GOOD);
  return out;
}

const XXE = `<?xml version="1.0"?>
<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>
<Envelope xmlns="urn:edx-gateway:envelope:1" version="1"><MessageId>&e;</MessageId></Envelope>`;

const BILLION_LAUGHS = `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<Envelope xmlns="urn:edx-gateway:envelope:1" version="1"><MessageId>&lol3;</MessageId></Envelope>`;

describe('hostile and invalid envelope.xml is refused with a stable code, never a throw', () => {
  const cases: [string, () => string | Uint8Array, XmlErrorCode][] = [
    ['XXE external entity', () => XXE, 'XML_DTD_FORBIDDEN'],
    ['billion laughs', () => BILLION_LAUGHS, 'XML_DTD_FORBIDDEN'],
    ['lower-case doctype', () => `<!doctype Envelope>${GOOD.slice(GOOD.indexOf('\n'))}`, 'XML_DTD_FORBIDDEN'],
    ['entity declaration hidden in a comment', () => edited('<MessageId>', '<!-- <!ENTITY x "y"> --><MessageId>'), 'XML_DTD_FORBIDDEN'],
    [
      '10,000 nested elements',
      () => `<Envelope xmlns="urn:edx-gateway:envelope:1" version="1">${'<a>'.repeat(10_000)}${'</a>'.repeat(10_000)}</Envelope>`,
      'XML_TOO_DEEP',
    ],
    ['2 MiB input', () => GOOD.replace('</Envelope>', `<!--${'x'.repeat(2 * 1024 * 1024)}--></Envelope>`), 'XML_TOO_LARGE'],
    ['invalid UTF-8 bytes', () => Buffer.concat([Buffer.from(GOOD.slice(0, 200)), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from(GOOD.slice(200))]), 'XML_NOT_UTF8'],
    ['UTF-16LE with BOM', () => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(GOOD.replace('UTF-8', 'UTF-16'), 'utf16le')]), 'XML_NOT_UTF8'],
    ['UTF-16LE without BOM', () => Buffer.from(GOOD.replace('UTF-8', 'UTF-16'), 'utf16le'), 'XML_NOT_UTF8'],
    ['declared non-UTF-8 encoding', () => edited('encoding="UTF-8"', 'encoding="windows-1251"'), 'XML_NOT_UTF8'],
    ['processing instruction', () => edited('<MessageId>', '<?evil run?><MessageId>'), 'XML_MALFORMED'],
    ['unclosed element', () => GOOD.replace('</Envelope>', ''), 'XML_MALFORMED'],
    ['undefined entity reference', () => edited('<RegNumber>01-15/007', '<RegNumber>&nbsp;01-15/007'), 'XML_MALFORMED'],
    ['character reference to NUL', () => edited('<RegNumber>01-15/007', '<RegNumber>&#0;01-15/007'), 'XML_MALFORMED'],
    ['bare ampersand', () => edited('<RegNumber>01-15/007', '<RegNumber>A & B'), 'XML_MALFORMED'],
    ['two roots', () => `${GOOD}<Envelope/>`, 'XML_MALFORMED'],
    ['wrong root', () => GOOD.replaceAll('Envelope', 'Letter'), 'XML_WRONG_ROOT'],
    ['wrong namespace', () => edited('urn:edx-gateway:envelope:1', 'urn:edx-gateway:envelope:2'), 'XML_WRONG_NAMESPACE'],
    ['no namespace', () => edited(' xmlns="urn:edx-gateway:envelope:1"', ''), 'XML_WRONG_NAMESPACE'],
    ['wrong version', () => edited('version="1">', 'version="2">'), 'XML_WRONG_NAMESPACE'],
    ['prefixed root', () => GOOD.replace('<Envelope xmlns=', '<e:Envelope xmlns:e=').replace('</Envelope>', '</e:Envelope>'), 'XML_WRONG_NAMESPACE'],
    ['missing required element', () => edited(/<RegDate>[^<]*<\/RegDate>\n\s*/u, ''), 'XML_INVALID'],
    ['unknown element', () => edited('<MessageId>', '<Priority>high</Priority><MessageId>'), 'XML_INVALID'],
    ['unknown attribute', () => edited('<Document kind="letter">', '<Document kind="letter" secret="1">'), 'XML_INVALID'],
    ['elements out of order', () => edited(/(<MessageId>[^<]*<\/MessageId>)(\s*)(<CreatedAt>[^<]*<\/CreatedAt>)/u, '$3$2$1'), 'XML_INVALID'],
    ['repeated single element', () => edited(/(<MessageId>[^<]*<\/MessageId>)/u, '$1$1'), 'XML_INVALID'],
    ['text in a structural element', () => edited('<Sender>', '<Sender>hello'), 'XML_INVALID'],
    ['bad INN check digit', () => edited(/<INN>(\d{9})(\d)<\/INN>/u, (_m: string, a: string, d: string) => `<INN>${a}${(Number(d) + 1) % 10}</INN>`), 'XML_INVALID'],
    ['two main files', () => edited('role="attachment"', 'role="main"'), 'XML_INVALID'],
    ['../ path', () => edited('<Path>files/Письмо.pdf</Path>', '<Path>../Письмо.pdf</Path>'), 'XML_INVALID'],
    ['absolute path', () => edited('<Path>files/Письмо.pdf</Path>', '<Path>/etc/passwd</Path>'), 'XML_INVALID'],
    ['backslash path', () => edited('<Path>files/Письмо.pdf</Path>', '<Path>files\\Письмо.pdf</Path>'), 'XML_INVALID'],
    ['signature path equal to a file path', () => edited('<Signature>files/Письмо.pdf.p7s</Signature>', '<Signature>files/Письмо.pdf</Signature>'), 'XML_INVALID'],
    ['invalid date 2025-02-30', () => edited(/<RegDate>[^<]*<\/RegDate>/u, '<RegDate>2025-02-30</RegDate>'), 'XML_INVALID'],
    ['upper-case UUID', () => edited(/<MessageId>([^<]*)<\/MessageId>/u, (_m: string, u: string) => `<MessageId>${u.toUpperCase()}</MessageId>`), 'XML_INVALID'],
    ['non-canonical size', () => edited('<Size>0</Size>', '<Size>00</Size>'), 'XML_INVALID'],
    ['short digest', () => edited(/<Digest algorithm="sha-256">[^<]*</u, '<Digest algorithm="sha-256">AAAA<'), 'XML_INVALID'],
    ['name with leading space', () => edited('<Name>Иванов', '<Name> Иванов'), 'XML_INVALID'],
  ];

  for (const [name, make, code] of cases) {
    it(`${name} → ${code}`, () => {
      const input = make();
      let outcome: XmlErrorCode | 'OK' | 'THREW' = 'THREW';
      expect(() => {
        outcome = envelopeCode(input);
      }).not.toThrow();
      expect(outcome).toBe(code);
    });
  }

  it('names the path of the first invalid field', () => {
    const result = parseEnvelopeXml(Buffer.from(edited(/<RegDate>[^<]*<\/RegDate>/u, '<RegDate>2025-02-30</RegDate>')));
    expect(result.ok ? '' : result.error.message).toContain('document.regDate');
  });

  it('honours smaller limits given by the caller', () => {
    expect(codeOf(parseEnvelopeXml(Buffer.from(GOOD), { maxBytes: 100 }))).toBe('XML_TOO_LARGE');
    expect(codeOf(parseEnvelopeXml(Buffer.from(GOOD), { maxDepth: 3 }))).toBe('XML_TOO_DEEP');
    expect(codeOf(parseEnvelopeXml(Buffer.from(GOOD), { maxDepth: 4 }))).toBe('OK');
  });

  it('a refused document leaves nothing behind for the next one (one UTF-8 decoder serves all)', () => {
    const truncated = Buffer.concat([Buffer.from(GOOD.slice(0, 200)), Buffer.from([0xd0])]);
    const withBom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(GOOD)]);
    for (let i = 0; i < 3; i++) {
      expect(codeOf(parseEnvelopeXml(truncated))).toBe('XML_NOT_UTF8');
      expect(codeOf(parseEnvelopeXml(withBom))).toBe('OK');
      expect(codeOf(parseEnvelopeXml(Buffer.from(GOOD)))).toBe('OK');
    }
  });

  it('the XSD itself rejects invalid envelopes (xmllint)', () => {
    const invalid = [
      edited(/<RegDate>[^<]*<\/RegDate>/u, '<RegDate>2025-02-30</RegDate>'),
      edited('<MessageId>', '<Priority>high</Priority><MessageId>'),
      edited(/<RegDate>[^<]*<\/RegDate>\n\s*/u, ''),
      edited('<Path>files/Письмо.pdf</Path>', '<Path>../Письмо.pdf</Path>'),
      edited('urn:edx-gateway:envelope:1', 'urn:edx-gateway:envelope:2'),
      edited('version="1">', 'version="2">'),
      edited(/<INN>\d+<\/INN>/u, '<INN>12345</INN>'),
      edited('<Signature>files/Письмо.pdf.p7s</Signature>', '<Signature>files/Письмо.pdf</Signature>'),
      edited('role="attachment"', 'role="copy"'),
    ];
    const results = xmllint(ENVELOPE_XSD, invalid.map((s) => Buffer.from(s)));
    expect(results.map((r) => r.valid)).toEqual(invalid.map(() => false));
    // The control: the unedited document does validate, so the failures above are the edits'.
    expect(xmllint(ENVELOPE_XSD, [Buffer.from(GOOD)]).map((r) => r.valid)).toEqual([true]);
  });
});

describe('invalid receipt.xml', () => {
  const registered = buildReceiptXml(sampleReceipt('registered')).toString('utf8');
  const withoutRegistration = registered.replace(/\s*<Registration>[\s\S]*<\/Registration>/u, '');

  it('a registered receipt without Registration → XML_INVALID', () => {
    expect(withoutRegistration).not.toBe(registered);
    const result = parseReceiptXml(Buffer.from(withoutRegistration));
    expect(codeOf(result)).toBe('XML_INVALID');
    expect(result.ok ? '' : result.error.message).toContain('registration');
  });

  it('a refused receipt without Reason, an accepted one with Reason, an envelope as receipt', () => {
    const refused = buildReceiptXml(sampleReceipt('refused')).toString('utf8');
    expect(codeOf(parseReceiptXml(Buffer.from(refused.replace(/\s*<Reason[\s\S]*<\/Reason>/u, ''))))).toBe('XML_INVALID');
    expect(codeOf(parseReceiptXml(Buffer.from(refused.replace('kind="refused"', 'kind="accepted"'))))).toBe('XML_INVALID');
    expect(codeOf(parseReceiptXml(Buffer.from(GOOD)))).toBe('XML_WRONG_ROOT');
    expect(codeOf(parseReceiptXml(Buffer.from(BILLION_LAUGHS)))).toBe('XML_DTD_FORBIDDEN');
  });

  it('the XSD rejects a receipt of an unknown kind or with an unknown element (xmllint)', () => {
    const invalid = [
      registered.replace('kind="registered"', 'kind="lost"'),
      registered.replace('<IssuedAt>', '<Note>x</Note><IssuedAt>'),
      registered.replace(/<Date>[^<]*<\/Date>/u, '<Date>2025-02-30</Date>'),
    ];
    for (const s of invalid) expect(s).not.toBe(registered);
    const results = xmllint(RECEIPT_XSD, invalid.map((s) => Buffer.from(s)));
    expect(results.map((r) => r.valid)).toEqual([false, false, false]);
    expect(xmllint(RECEIPT_XSD, [Buffer.from(registered)]).map((r) => r.valid)).toEqual([true]);
  });
});
