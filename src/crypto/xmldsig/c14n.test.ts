/** C14N 1.0 and Exclusive C14N 1.0 against libxml2 (`xmllint --c14n` / `--exc-c14n`, both with comments) as the oracle. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { canonicalizeDocument, canonicalizeSubtree } from './c14n.ts';
import { generatedElement, renderGenerated } from './test-arbitraries.ts';
import { childElements, MAX_XML_TREE_DEPTH, parseXmlTree, type XmlDocument } from './xml-tree.ts';

const dir = mkdtempSync(join(tmpdir(), 'edx-c14n-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

function xmllint(xml: string, flag: '--c14n' | '--exc-c14n'): string {
  n += 1;
  const file = join(dir, `d${n}.xml`);
  writeFileSync(file, xml);
  const r = spawnSync('xmllint', [flag, file], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`xmllint refused the document: ${r.stderr}\n${xml}`);
  return r.stdout;
}

function parse(xml: string): XmlDocument {
  const r = parseXmlTree(Buffer.from(xml, 'utf8'));
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}\n${xml}`);
  return r.value;
}

function expectSameAsXmllint(xml: string): void {
  const doc = parse(xml);
  expect(canonicalizeDocument(doc, { method: 'c14n', withComments: true })).toBe(xmllint(xml, '--c14n'));
  expect(canonicalizeDocument(doc, { method: 'exc-c14n', withComments: true })).toBe(xmllint(xml, '--exc-c14n'));
}

const CORPUS: Record<string, string> = {
  'namespaces declared at several levels, default undeclared, prefixed attributes': `<?xml version="1.0" encoding="UTF-8"?>
<?before data?>
<!-- before -->
<a:root xmlns:a="urn:a" xmlns="urn:default" xmlns:b="urn:b" b:z="1" y="&lt;&amp;&gt;&#xD;&#x9;
x" a:x='q"'>
  <child xmlns="" attr="v">Текст &lt; &amp; &gt; &#xD; end<![CDATA[ <cdata> ]]></child>
  <b:el xmlns:c="urn:c" xml:lang="ru"><c:in c:a="1" b:b="2" a="3"/><!-- c --><?p?></b:el>
  <x xmlns:a="urn:a"><a:y/></x>
</a:root>
<!-- after -->
`,
  'a trusted-list-like document with redundant declarations': `<TrustServiceStatusList xmlns="http://uri.etsi.org/02231/v2#" xmlns:ns2="http://www.w3.org/2000/09/xmldsig#" xmlns:ns3="http://uri.etsi.org/02231/v2/additionaltypes#" Id="TL" TSLTag="http://uri.etsi.org/19612/TSLTag"><SchemeInformation><TSLVersionIdentifier>5</TSLVersionIdentifier><SchemeOperatorName><Name xml:lang="en">Post- och telestyrelsen</Name></SchemeOperatorName><SchemeTypeCommunityRules><URI xml:lang="en" xmlns="http://uri.etsi.org/02231/v2#">http://uri.etsi.org/TrstSvc/TrustedList/schemerules/EUcommon</URI></SchemeTypeCommunityRules></SchemeInformation><ns3:Extra ns3:flag="true" xmlns:ns4="urn:unused"/></TrustServiceStatusList>`,
  'CR LF line ends, tabs and character references in attributes': '<r a="x\r\ny\tz" b="&#xA;&#x9;&#xD;" c="&quot;&apos;&gt;">l1\r\nl2\rl3&#13;</r>',
  'empty elements, attribute sort by namespace URI then local name': '<r xmlns:z="urn:a" xmlns:a="urn:z" a:b="1" z:b="2" b="3" a:a="4" z:c="5"><e/><e></e><f xmlns="urn:f"/></r>',
  'default namespace undeclared below a prefixed element': '<p:r xmlns:p="urn:p" xmlns="urn:d"><p:c><d xmlns=""><e/></d></p:c><c2/></p:r>',
  'the same prefix rebound to another namespace lower down': '<p:r xmlns:p="urn:1"><p:c xmlns:p="urn:2"><p:d xmlns:p="urn:1"/></p:c></p:r>',
  'supplementary characters, Cyrillic, and > in text': '<r n="𝄞 Ж">𝄞 ЖЁ ]]&gt; > ok</r>',
  'PIs and comments inside and outside the document element': '<?a?><!--x--><?b c  d ?><r><?t  data with  spaces ?><!-- -in- --></r><?z?><!--y-->',
  'xml:space, xml:lang on nested elements': '<r xml:lang="en" xml:space="preserve"><c xml:lang="ru">  текст  </c></r>',
};

describe('canonicalisation matches xmllint byte for byte', () => {
  for (const [name, xml] of Object.entries(CORPUS)) {
    it(name, () => expectSameAsXmllint(xml));
  }

  it('on generated documents (fast-check)', () => {
    fc.assert(
      fc.property(generatedElement(4), (g) => {
        expectSameAsXmllint(renderGenerated(g));
      }),
      { numRuns: 120 },
    );
  });
});

describe('where libxml2 departs from the Recommendation', () => {
  it('escapes a namespace URI as an attribute value (C14N §2.3 "processed as an attribute node"; libxml2 writes it raw)', () => {
    const doc = parse('<e xmlns="urn:a&amp;b&quot;"/>');
    expect(canonicalizeDocument(doc, { method: 'c14n', withComments: false })).toBe('<e xmlns="urn:a&amp;b&quot;"></e>');
    expect(xmllint('<e xmlns="urn:a&amp;b"/>', '--c14n')).toBe('<e xmlns="urn:a&b"></e>');
  });
});

describe('document subsets', () => {
  const doc = parse('<r xmlns="urn:d" xmlns:a="urn:a" xmlns:u="urn:unused" xml:lang="ru"><a:c a:x="1"><d>т</d><!--c--></a:c></r>');
  const sub = childElements(doc.root)[0];
  if (sub === undefined) throw new Error('fixture');

  it('inclusive c14n renders the namespaces and xml: attributes in scope on the apex', () => {
    expect(canonicalizeSubtree(sub, { method: 'c14n', withComments: false })).toBe('<a:c xmlns="urn:d" xmlns:a="urn:a" xmlns:u="urn:unused" xml:lang="ru" a:x="1"><d>т</d></a:c>');
  });

  it('exclusive c14n renders only the namespaces visibly utilised, and the PrefixList ones', () => {
    expect(canonicalizeSubtree(sub, { method: 'exc-c14n', withComments: true })).toBe('<a:c xmlns:a="urn:a" a:x="1"><d xmlns="urn:d">т</d><!--c--></a:c>');
    expect(canonicalizeSubtree(sub, { method: 'exc-c14n', withComments: false, inclusivePrefixes: ['u', '#default', 'missing'] })).toBe(
      '<a:c xmlns="urn:d" xmlns:a="urn:a" xmlns:u="urn:unused" a:x="1"><d>т</d></a:c>',
    );
  });

  it('leaves excluded subtrees out (the enveloped-signature transform)', () => {
    expect(canonicalizeDocument(doc, { method: 'exc-c14n', withComments: false, exclude: (e) => e.localName === 'd' })).toBe(
      '<r xmlns="urn:d" xml:lang="ru"><a:c xmlns:a="urn:a" a:x="1"></a:c></r>',
    );
  });

  it('handles nesting as deep as the parser ever allows', () => {
    const deep = `${'<e>'.repeat(MAX_XML_TREE_DEPTH)}x${'</e>'.repeat(MAX_XML_TREE_DEPTH)}`;
    const r = parseXmlTree(Buffer.from(deep), { maxDepth: Number.MAX_SAFE_INTEGER });
    if (!r.ok) throw new Error(r.error.message);
    expect(canonicalizeDocument(r.value, { method: 'c14n', withComments: false })).toBe(deep);
    const deeper = parseXmlTree(Buffer.from(`<e>${deep}</e>`), { maxDepth: Number.MAX_SAFE_INTEGER });
    expect(deeper.ok ? 'accepted' : deeper.error.code).toBe('XML_TOO_DEEP');
  });
});
