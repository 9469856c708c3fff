/**
 * Canonical XML 1.0 (W3C REC-xml-c14n-20010315) and Exclusive XML Canonicalization 1.0 (W3C
 * REC-xml-exc-c14n-20020718) over the trees of `xml-tree.ts`, for the node-sets XML-DSig
 * same-document references produce: a whole document or one element's subtree, optionally minus
 * some subtrees (the enveloped Signature), optionally without comments.
 */
import { XML_NAMESPACE, type XmlAttribute, type XmlDocument, type XmlElement, type XmlNode } from './xml-tree.ts';

export type C14nMethod = 'c14n' | 'exc-c14n';

export interface C14nOptions {
  method: C14nMethod;
  withComments: boolean;
  /** Exclusive c14n only: the InclusiveNamespaces PrefixList (§3); '#default' names the default namespace. */
  inclusivePrefixes?: readonly string[];
  /** Subtrees left out of the node-set (the enveloped-signature transform, XML-DSig §6.6.4). */
  exclude?: (el: XmlElement) => boolean;
}

/** Escaping of text nodes, C14N §2.3 (Character Modifications and Character References). */
export function escapeText(s: string): string {
  return s.replace(/[&<>\r]/gu, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&#xD;'));
}

/** Escaping of attribute values, C14N §2.3. */
export function escapeAttribute(s: string): string {
  return s.replace(/[&<"\t\n\r]/gu, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '"' ? '&quot;' : c === '\t' ? '&#x9;' : c === '\n' ? '&#xA;' : '&#xD;'));
}

/**
 * The canonical form of the whole document (an XML-DSig `URI=""` node-set, or `xmllint --c14n` /
 * `--exc-c14n` when `withComments`): the document element, and the comments and processing
 * instructions around it each separated from it by a line feed (C14N §2.1, processing model).
 */
export function canonicalizeDocument(doc: XmlDocument, options: C14nOptions): string {
  const parts: string[] = [];
  for (const n of doc.before) {
    const s = renderLeaf(n, options);
    if (s !== undefined) parts.push(s, '\n');
  }
  parts.push(canonicalizeSubtree(doc.root, options));
  for (const n of doc.after) {
    const s = renderLeaf(n, options);
    if (s !== undefined) parts.push('\n', s);
  }
  return parts.join('');
}

/**
 * The canonical form of `apex` and its descendants as a document subset (the node-set of a
 * `URI="#id"` reference or of SignedInfo): namespace declarations in scope from the ancestors are
 * rendered on the apex as each method requires; Canonical XML 1.0 also carries the ancestors'
 * `xml:*` attributes down to the apex (C14N §2.4), Exclusive c14n does not (exc-c14n §3).
 */
export function canonicalizeSubtree(apex: XmlElement, options: C14nOptions): string {
  const out: string[] = [];
  const inherited = options.method === 'c14n' ? inheritedXmlAttributes(apex) : [];
  const inclusive = new Set((options.inclusivePrefixes ?? []).map((p) => (p === '#default' ? '' : p)));
  // An explicit stack keeps deep documents from exhausting the call stack.
  type Frame = { kind: 'open'; el: XmlElement; rendered: ReadonlyMap<string, string>; extra: XmlAttribute[] } | { kind: 'close'; qname: string } | { kind: 'leaf'; node: XmlNode };
  const stack: Frame[] = [{ kind: 'open', el: apex, rendered: new Map(), extra: inherited }];
  for (;;) {
    const frame = stack.pop();
    if (frame === undefined) break;
    if (frame.kind === 'close') {
      out.push(`</${frame.qname}>`);
      continue;
    }
    if (frame.kind === 'leaf') {
      const s = renderLeaf(frame.node, options);
      if (s !== undefined) out.push(s);
      continue;
    }
    const { el } = frame;
    if (options.exclude?.(el) === true) continue;
    const rendered = new Map(frame.rendered);
    const nsOut: [string, string][] = [];
    for (const prefix of namespaceCandidates(el, options.method, inclusive)) {
      const uri = el.inScope.get(prefix) ?? '';
      const current = rendered.get(prefix);
      if (prefix === '') {
        // An empty default namespace is rendered (as xmlns="") only to undo a non-empty one in the output.
        if (uri === '' ? current === undefined || current === '' : current === uri) continue;
      } else if (current === uri || (uri === '' && current === undefined)) {
        continue;
      }
      rendered.set(prefix, uri);
      nsOut.push([prefix, uri]);
    }
    nsOut.sort((a, b) => compareCodeUnits(a[0], b[0]));
    const attrs = [...el.attributes, ...frame.extra.filter((x) => !el.attributes.some((a) => a.namespaceURI === x.namespaceURI && a.localName === x.localName))];
    attrs.sort((a, b) => compareCodeUnits(a.namespaceURI ?? '', b.namespaceURI ?? '') || compareCodeUnits(a.localName, b.localName));
    let tag = `<${el.qname}`;
    for (const [prefix, uri] of nsOut) tag += prefix === '' ? ` xmlns="${escapeAttribute(uri)}"` : ` xmlns:${prefix}="${escapeAttribute(uri)}"`;
    for (const a of attrs) tag += ` ${a.qname}="${escapeAttribute(a.value)}"`;
    out.push(`${tag}>`);
    stack.push({ kind: 'close', qname: el.qname });
    for (let i = el.children.length - 1; i >= 0; i -= 1) {
      const child = el.children[i];
      if (child === undefined) continue;
      stack.push(child.type === 'element' ? { kind: 'open', el: child, rendered, extra: [] } : { kind: 'leaf', node: child });
    }
  }
  return out.join('');
}

/**
 * The namespace prefixes whose nodes C14N considers on `el`: inclusive c14n all in scope (§2.3);
 * exclusive c14n those visibly utilised by the element or its attributes, plus the
 * InclusiveNamespaces PrefixList ones in scope (exc-c14n §3).
 */
function namespaceCandidates(el: XmlElement, method: C14nMethod, inclusive: ReadonlySet<string>): string[] {
  if (method === 'c14n') {
    const all = [...el.inScope.keys()];
    return el.inScope.has('') ? all : ['', ...all];
  }
  const used = new Set<string>();
  used.add(el.prefix ?? '');
  for (const a of el.attributes) if (a.prefix !== null && a.prefix !== 'xml') used.add(a.prefix);
  for (const p of inclusive) if (el.inScope.has(p)) used.add(p);
  used.delete('xml');
  return [...used];
}

function inheritedXmlAttributes(apex: XmlElement): XmlAttribute[] {
  const found = new Map<string, XmlAttribute>();
  for (let a = apex.parent; a !== null; a = a.parent) {
    for (const attr of a.attributes) {
      if (attr.namespaceURI === XML_NAMESPACE && !found.has(attr.localName)) found.set(attr.localName, attr);
    }
  }
  return [...found.values()];
}

function renderLeaf(node: XmlNode, options: C14nOptions): string | undefined {
  switch (node.type) {
    case 'text':
      return escapeText(node.value);
    case 'comment':
      return options.withComments ? `<!--${node.value}-->` : undefined;
    case 'pi':
      return node.data === '' ? `<?${node.target}?>` : `<?${node.target} ${node.data}?>`;
    case 'element':
      throw new Error('elements are not leaves');
  }
}

/** C14N orders by UCS code point; UTF-16 code-unit order differs above the BMP. */
function compareCodeUnits(a: string, b: string): number {
  if (a === b) return 0;
  const ca = Array.from(a);
  const cb = Array.from(b);
  const n = Math.min(ca.length, cb.length);
  for (let i = 0; i < n; i += 1) {
    const x = ca[i]?.codePointAt(0) ?? 0;
    const y = cb[i]?.codePointAt(0) ?? 0;
    if (x !== y) return x - y;
  }
  return ca.length - cb.length;
}
