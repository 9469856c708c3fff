/** The strict parser refuses what a signed trusted list never needs and an attacker likes. */
import { describe, expect, it } from 'vitest';
import { parseXmlTree, type XmlTreeLimits } from './xml-tree.ts';

function code(xml: string | Uint8Array, limits: Partial<XmlTreeLimits> = {}): string {
  const r = parseXmlTree(typeof xml === 'string' ? Buffer.from(xml, 'utf8') : xml, limits);
  return r.ok ? 'OK' : r.error.code;
}

describe('parseXmlTree refuses hostile input', () => {
  it('refuses any DOCTYPE: billion laughs, external entities, internal subsets', () => {
    expect(code('<!DOCTYPE r [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]><r>&b;</r>')).toBe('XML_DTD_FORBIDDEN');
    expect(code('<?xml version="1.0"?>\n<!DOCTYPE r SYSTEM "file:///etc/passwd"><r/>')).toBe('XML_DTD_FORBIDDEN');
    expect(code('<!-- c --><!DOCTYPE r><r/>')).toBe('XML_DTD_FORBIDDEN');
    expect(code('<r><!ENTITY x "y"></r>')).toBe('XML_DTD_FORBIDDEN');
  });

  it('refuses entity references other than the five predefined ones', () => {
    expect(code('<r>&xxe;</r>')).toBe('XML_ENTITY_FORBIDDEN');
    expect(code('<r a="&nbsp;"/>')).toBe('XML_ENTITY_FORBIDDEN');
    expect(code('<r>&amp;&lt;&gt;&quot;&apos;&#x416;&#1046;</r>')).toBe('OK');
  });

  it('refuses oversized, too deep, and too many nodes or attributes', () => {
    expect(code(`<r>${'x'.repeat(2000)}</r>`, { maxBytes: 1000 })).toBe('XML_TOO_LARGE');
    expect(code(`${'<e>'.repeat(65)}${'</e>'.repeat(65)}`)).toBe('XML_TOO_DEEP');
    expect(code(`${'<e>'.repeat(64)}${'</e>'.repeat(64)}`)).toBe('OK');
    expect(code(`<r>${'<e/>'.repeat(100)}</r>`, { maxNodes: 50 })).toBe('XML_TOO_LARGE');
    expect(code(`<r ${Array.from({ length: 10 }, (_, i) => `a${i}="1"`).join(' ')}/>`, { maxAttributes: 5 })).toBe('XML_TOO_LARGE');
    // Bindings accumulate down the tree: canonicalisation would visit them all at every element.
    const nested = Array.from({ length: 20 }, (_, i) => `<e ${Array.from({ length: 4 }, (_, j) => `xmlns:p${i}x${j}="urn:${j}"`).join(' ')}>`).join('');
    expect(code(`${nested}${'</e>'.repeat(20)}`)).toBe('XML_TOO_LARGE');
    expect(code(`${nested}${'</e>'.repeat(20)}`, { maxNamespacesInScope: 80 })).toBe('OK');
  });

  it('refuses other encodings and broken UTF-8', () => {
    expect(code('<?xml version="1.0" encoding="ISO-8859-1"?><r/>')).toBe('XML_NOT_UTF8');
    expect(code(Buffer.from([0x3c, 0x72, 0x3e, 0xc3, 0x28, 0x3c, 0x2f, 0x72, 0x3e]))).toBe('XML_NOT_UTF8');
    expect(code(Buffer.from('\uFEFF<r/>', 'utf16le'))).toBe('XML_NOT_UTF8');
  });

  it('refuses what is not well-formed or not namespace-well-formed', () => {
    for (const bad of [
      '<r>',
      '<r></s>',
      '<r a="1" a="2"/>',
      '<r xmlns:p="urn:1" xmlns:q="urn:1" p:a="1" q:a="2"/>',
      '<p:r/>',
      '<r xmlns:p=""/>',
      '<r>\u0001</r>',
      '<r a="<"/>',
      '<r/><r/>',
      '<r>]]></r>',
      '<r><!-- a -- b --></r>',
      '<r>&#0;</r>',
      '<r>& x</r>',
      '<r><?xml version="1.0"?></r>',
      'text<r/>',
    ]) {
      expect([bad, code(bad)]).toEqual([bad, 'XML_MALFORMED']);
    }
  });
});

describe('parseXmlTree keeps what canonicalisation needs', () => {
  it('resolves namespaces per element and keeps attribute order and normalised values', () => {
    const r = parseXmlTree(Buffer.from('<a:r xmlns:a="urn:a" xmlns="urn:d" z="1&#xA;2" a:y="x\r\ny\tz"><c xmlns=""/></a:r>'));
    if (!r.ok) throw new Error(r.error.message);
    const root = r.value.root;
    expect(root.namespaceURI).toBe('urn:a');
    expect(root.namespaces).toEqual([
      { prefix: 'a', uri: 'urn:a' },
      { prefix: '', uri: 'urn:d' },
    ]);
    expect(root.attributes.map((a) => [a.qname, a.namespaceURI, a.value])).toEqual([
      ['z', null, '1\n2'],
      ['a:y', 'urn:a', 'x y z'],
    ]);
    const child = root.children[0];
    expect(child?.type === 'element' ? child.namespaceURI : 'none').toBeNull();
  });
});
