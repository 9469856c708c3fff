/**
 * A strict, small XML 1.0 + Namespaces parser that keeps what canonicalisation needs and the
 * general-purpose parsers drop: namespace declarations per element, attribute order, comments,
 * processing instructions and the exact character data (W3C XML 1.0 Fifth Edition, Namespaces in
 * XML 1.0 Third Edition). It refuses anything a signed trusted list never needs and an attacker
 * likes: DOCTYPE (so no DTD, no entity declarations, no external subsets), entity references other
 * than the five predefined ones, encodings other than UTF-8, oversized or overly deep documents.
 */

export type XmlTreeErrorCode = 'XML_TOO_LARGE' | 'XML_NOT_UTF8' | 'XML_DTD_FORBIDDEN' | 'XML_ENTITY_FORBIDDEN' | 'XML_TOO_DEEP' | 'XML_MALFORMED';

export interface XmlTreeError {
  code: XmlTreeErrorCode;
  message: string;
}

export type XmlTreeResult<T> = { ok: true; value: T } | { ok: false; error: XmlTreeError };

export const XML_NAMESPACE = 'http://www.w3.org/XML/1998/namespace';
const XMLNS_NAMESPACE = 'http://www.w3.org/2000/xmlns/';

export interface XmlAttribute {
  /** The name as written, with its prefix. */
  qname: string;
  prefix: string | null;
  localName: string;
  /** null for an unprefixed attribute (Namespaces in XML §6.2: no default namespace for attributes). */
  namespaceURI: string | null;
  /** The normalised value (XML 1.0 §3.3.3, every attribute being CDATA without a DTD). */
  value: string;
}

/** A namespace declaration written on an element; prefix '' is the default namespace (value '' undeclares it). */
export interface XmlNamespaceDeclaration {
  prefix: string;
  uri: string;
}

export interface XmlElement {
  type: 'element';
  qname: string;
  prefix: string | null;
  localName: string;
  namespaceURI: string | null;
  /** Attributes other than namespace declarations, in document order. */
  attributes: XmlAttribute[];
  /** Namespace declarations written on this element, in document order. */
  namespaces: XmlNamespaceDeclaration[];
  /** Every namespace binding in scope (prefix '' = default; '' value = no default), without `xml`. */
  inScope: ReadonlyMap<string, string>;
  children: XmlNode[];
  parent: XmlElement | null;
}

export interface XmlText {
  type: 'text';
  /** Character data after line-end normalisation (XML 1.0 §2.11); CDATA sections are merged in. */
  value: string;
}

export interface XmlComment {
  type: 'comment';
  value: string;
}

export interface XmlProcessingInstruction {
  type: 'pi';
  target: string;
  data: string;
}

export type XmlNode = XmlElement | XmlText | XmlComment | XmlProcessingInstruction;

export interface XmlDocument {
  root: XmlElement;
  /** Comments and processing instructions before the document element. */
  before: (XmlComment | XmlProcessingInstruction)[];
  /** Comments and processing instructions after the document element. */
  after: (XmlComment | XmlProcessingInstruction)[];
}

export interface XmlTreeLimits {
  /** Largest accepted document in bytes. */
  maxBytes: number;
  /** Deepest accepted element nesting (the document element is depth 1). */
  maxDepth: number;
  /** Most elements, texts, comments and PIs in total. */
  maxNodes: number;
  /** Most attributes (including namespace declarations) on one element. */
  maxAttributes: number;
  /**
   * Most namespace bindings in scope at any element. Canonicalisation visits every binding in
   * scope at every element, so without this bound a small document costs quadratic time.
   */
  maxNamespacesInScope: number;
}

/** The parser recurses per element level; no limit passed in goes beyond this. */
export const MAX_XML_TREE_DEPTH = 1000;

export const DEFAULT_XML_TREE_LIMITS: XmlTreeLimits = { maxBytes: 8 * 1024 * 1024, maxDepth: 64, maxNodes: 1_000_000, maxAttributes: 256, maxNamespacesInScope: 64 };

class ParseFailure extends Error {
  readonly code: XmlTreeErrorCode;
  constructor(code: XmlTreeErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

// XML 1.0 §2.2 Char, as its complement; lone surrogates are caught by the strict UTF-8 decoder.
const NON_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/u;
const NAME_START = 'A-Z_a-z\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u02FF\\u0370-\\u037D\\u037F-\\u1FFF\\u200C\\u200D\\u2070-\\u218F\\u2C00-\\u2FEF\\u3001-\\uD7FF\\uF900-\\uFDCF\\uFDF0-\\uFFFD\\u{10000}-\\u{EFFFF}';
const NAME_CHAR = `${NAME_START}\\-.0-9\\u00B7\\u0300-\\u036F\\u203F-\\u2040`;
// Namespaces in XML §3 QName: NCName (':' NCName)?
const QNAME = new RegExp(`[${NAME_START}][${NAME_CHAR}]*(?::[${NAME_START}][${NAME_CHAR}]*)?`, 'uy');
const PI_TARGET = new RegExp(`[${NAME_START}][${NAME_CHAR}]*`, 'uy');
const WS = /[ \t\r\n]*/y;
const PREDEFINED: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/**
 * Parses `input` (UTF-8 bytes) into a namespace-resolved tree, or returns why it is refused.
 * Pure: no I/O, no entity expansion beyond the predefined entities and character references.
 */
export function parseXmlTree(input: Uint8Array, limits: Partial<XmlTreeLimits> = {}): XmlTreeResult<XmlDocument> {
  const lim = { ...DEFAULT_XML_TREE_LIMITS, ...limits };
  lim.maxDepth = Math.min(lim.maxDepth, MAX_XML_TREE_DEPTH);
  if (input.byteLength > lim.maxBytes) return failure('XML_TOO_LARGE', `the document is ${input.byteLength} bytes; the limit is ${lim.maxBytes}`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(input);
  } catch {
    return failure('XML_NOT_UTF8', 'the document is not well-formed UTF-8');
  }
  const bad = NON_CHAR.exec(text);
  if (bad !== null) return failure('XML_MALFORMED', `character U+${(bad[0].codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')} is not allowed in XML (offset ${bad.index})`);
  try {
    return { ok: true, value: new Parser(text, lim).document() };
  } catch (error) {
    if (error instanceof ParseFailure) return failure(error.code, error.message);
    throw error;
  }
}

function failure(code: XmlTreeErrorCode, message: string): { ok: false; error: XmlTreeError } {
  return { ok: false, error: { code, message } };
}

/** Line-end normalisation, XML 1.0 §2.11: CR LF and lone CR become LF. */
function normaliseLineEnds(s: string): string {
  return s.includes('\r') ? s.replace(/\r\n?/gu, '\n') : s;
}

class Parser {
  private pos = 0;
  private nodes = 0;
  constructor(
    private readonly s: string,
    private readonly limits: XmlTreeLimits,
  ) {}

  private fail(message: string, code: XmlTreeErrorCode = 'XML_MALFORMED'): never {
    throw new ParseFailure(code, `${message} (offset ${this.pos})`);
  }

  private startsWith(token: string): boolean {
    return this.s.startsWith(token, this.pos);
  }

  private skipWs(): boolean {
    WS.lastIndex = this.pos;
    WS.exec(this.s);
    const moved = WS.lastIndex !== this.pos;
    this.pos = WS.lastIndex;
    return moved;
  }

  private expect(token: string): void {
    if (!this.startsWith(token)) this.fail(`expected '${token}'`);
    this.pos += token.length;
  }

  private count(): void {
    this.nodes += 1;
    if (this.nodes > this.limits.maxNodes) this.fail(`more than ${this.limits.maxNodes} nodes`, 'XML_TOO_LARGE');
  }

  document(): XmlDocument {
    if (this.s.charCodeAt(0) === 0xfeff) this.pos = 1;
    if (this.startsWith('<?xml') && /[ \t\r\n?]/u.test(this.s.charAt(this.pos + 5))) this.xmlDeclaration();
    const before = this.misc();
    if (this.startsWith('<!DOCTYPE')) this.fail('DOCTYPE is not accepted (no DTD, no entity declarations)', 'XML_DTD_FORBIDDEN');
    if (!this.startsWith('<')) this.fail('expected the document element');
    const root = this.element(null, 1);
    const after = this.misc();
    if (this.startsWith('<!DOCTYPE')) this.fail('DOCTYPE is not accepted', 'XML_DTD_FORBIDDEN');
    if (this.pos !== this.s.length) this.fail('content after the document element');
    return { root, before, after };
  }

  private xmlDeclaration(): void {
    const end = this.s.indexOf('?>', this.pos);
    if (end < 0) this.fail('unterminated XML declaration');
    const decl = this.s.slice(this.pos + 5, end);
    const m = /^\s+version\s*=\s*(["'])1\.[0-9]+\1(\s+encoding\s*=\s*(["'])([A-Za-z][A-Za-z0-9._-]*)\3)?(\s+standalone\s*=\s*(["'])(yes|no)\6)?\s*$/u.exec(decl);
    if (m === null) this.fail('malformed XML declaration');
    const encoding = m[4];
    if (encoding !== undefined && !/^utf-?8$/iu.test(encoding)) this.fail(`encoding ${encoding}: only UTF-8 is accepted`, 'XML_NOT_UTF8');
    this.pos = end + 2;
  }

  private misc(): (XmlComment | XmlProcessingInstruction)[] {
    const out: (XmlComment | XmlProcessingInstruction)[] = [];
    for (;;) {
      this.skipWs();
      if (this.startsWith('<!--')) out.push(this.comment());
      else if (this.startsWith('<?')) out.push(this.pi());
      else return out;
    }
  }

  private comment(): XmlComment {
    this.count();
    this.pos += 4;
    const end = this.s.indexOf('--', this.pos);
    if (end < 0) this.fail('unterminated comment');
    if (this.s.charAt(end + 2) !== '>') this.fail("'--' inside a comment");
    const value = normaliseLineEnds(this.s.slice(this.pos, end));
    this.pos = end + 3;
    return { type: 'comment', value };
  }

  private pi(): XmlProcessingInstruction {
    this.count();
    this.pos += 2;
    PI_TARGET.lastIndex = this.pos;
    const m = PI_TARGET.exec(this.s);
    if (m === null) this.fail('processing instruction without a target');
    const target = m[0];
    if (target.toLowerCase() === 'xml') this.fail('an XML declaration is only allowed at the very start');
    if (target.includes(':')) this.fail('a processing instruction target cannot contain a colon');
    this.pos += target.length;
    if (this.startsWith('?>')) {
      this.pos += 2;
      return { type: 'pi', target, data: '' };
    }
    if (!this.skipWs()) this.fail('expected white space after the processing instruction target');
    const end = this.s.indexOf('?>', this.pos);
    if (end < 0) this.fail('unterminated processing instruction');
    const data = normaliseLineEnds(this.s.slice(this.pos, end));
    this.pos = end + 2;
    return { type: 'pi', target, data };
  }

  private qname(): string {
    QNAME.lastIndex = this.pos;
    const m = QNAME.exec(this.s);
    if (m === null) this.fail('expected a name');
    this.pos += m[0].length;
    return m[0];
  }

  private element(parent: XmlElement | null, depth: number): XmlElement {
    if (depth > this.limits.maxDepth) this.fail(`elements nested deeper than ${this.limits.maxDepth}`, 'XML_TOO_DEEP');
    this.count();
    this.expect('<');
    const qname = this.qname();
    const raw: { qname: string; value: string }[] = [];
    const names = new Set<string>();
    let selfClosing = false;
    for (;;) {
      const hadWs = this.skipWs();
      if (this.startsWith('/>')) {
        this.pos += 2;
        selfClosing = true;
        break;
      }
      if (this.startsWith('>')) {
        this.pos += 1;
        break;
      }
      if (!hadWs) this.fail('expected white space between attributes');
      const name = this.qname();
      this.skipWs();
      this.expect('=');
      this.skipWs();
      const value = this.attributeValue();
      if (names.has(name)) this.fail(`attribute ${name} appears twice`);
      names.add(name);
      raw.push({ qname: name, value });
      if (raw.length > this.limits.maxAttributes) this.fail(`more than ${this.limits.maxAttributes} attributes on one element`, 'XML_TOO_LARGE');
    }

    const namespaces: XmlNamespaceDeclaration[] = [];
    for (const a of raw) {
      if (a.qname === 'xmlns') namespaces.push({ prefix: '', uri: a.value });
      else if (a.qname.startsWith('xmlns:')) {
        const prefix = a.qname.slice(6);
        if (prefix === 'xmlns') this.fail('the xmlns prefix cannot be declared');
        if (prefix === 'xml') {
          if (a.value !== XML_NAMESPACE) this.fail('the xml prefix is bound to its own namespace only');
          continue;
        }
        if (a.value === '') this.fail(`xmlns:${prefix}="" is not allowed in XML 1.0`);
        if (a.value === XML_NAMESPACE || a.value === XMLNS_NAMESPACE) this.fail(`${a.value} cannot be bound to another prefix`);
        namespaces.push({ prefix, uri: a.value });
      }
    }
    if (namespaces.some((d) => d.prefix === '' && (d.uri === XML_NAMESPACE || d.uri === XMLNS_NAMESPACE))) this.fail('reserved namespace as the default namespace');
    let inScope: ReadonlyMap<string, string> = parent?.inScope ?? new Map<string, string>();
    if (namespaces.length > 0) {
      const copy = new Map(inScope);
      for (const d of namespaces) copy.set(d.prefix, d.uri);
      if (copy.size > this.limits.maxNamespacesInScope) this.fail(`more than ${this.limits.maxNamespacesInScope} namespace bindings in scope`, 'XML_TOO_LARGE');
      inScope = copy;
    }
    const resolve = (prefix: string | null, forAttribute: boolean): string | null => {
      if (prefix === null) {
        if (forAttribute) return null;
        const d = inScope.get('');
        return d === undefined || d === '' ? null : d;
      }
      if (prefix === 'xml') return XML_NAMESPACE;
      if (prefix === 'xmlns') this.fail('the xmlns prefix cannot be used on names');
      const uri = inScope.get(prefix);
      if (uri === undefined) this.fail(`undeclared namespace prefix ${prefix}`);
      return uri;
    };
    const [prefix, localName] = splitQName(qname);
    const attributes: XmlAttribute[] = [];
    const expanded = new Set<string>();
    for (const a of raw) {
      if (a.qname === 'xmlns' || a.qname.startsWith('xmlns:')) continue;
      const [p, l] = splitQName(a.qname);
      const ns = resolve(p, true);
      // Namespaces in XML §6.3: no two attributes with the same local name and namespace.
      const key = `${ns ?? ''}\u0000${l}`;
      if (expanded.has(key)) this.fail(`attribute {${ns ?? ''}}${l} appears twice`);
      expanded.add(key);
      attributes.push({ qname: a.qname, prefix: p, localName: l, namespaceURI: ns, value: a.value });
    }
    const el: XmlElement = { type: 'element', qname, prefix, localName, namespaceURI: resolve(prefix, false), attributes, namespaces, inScope, children: [], parent };
    if (selfClosing) return el;
    this.content(el, depth);
    this.expect('</');
    const closing = this.qname();
    if (closing !== qname) this.fail(`</${closing}> closes <${qname}>`);
    this.skipWs();
    this.expect('>');
    return el;
  }

  private content(el: XmlElement, depth: number): void {
    let text = '';
    const flush = (): void => {
      if (text === '') return;
      this.count();
      el.children.push({ type: 'text', value: text });
      text = '';
    };
    for (;;) {
      const lt = this.s.indexOf('<', this.pos);
      if (lt < 0) this.fail(`unterminated element ${el.qname}`);
      if (lt > this.pos) {
        const chunk = this.s.slice(this.pos, lt);
        if (chunk.includes(']]>')) this.fail("']]>' in character data");
        text += this.decodeReferences(normaliseLineEnds(chunk), this.pos);
        this.pos = lt;
      }
      if (this.startsWith('</')) {
        flush();
        return;
      }
      if (this.startsWith('<![CDATA[')) {
        const end = this.s.indexOf(']]>', this.pos + 9);
        if (end < 0) this.fail('unterminated CDATA section');
        text += normaliseLineEnds(this.s.slice(this.pos + 9, end));
        this.pos = end + 3;
        continue;
      }
      flush();
      if (this.startsWith('<!--')) el.children.push(this.comment());
      else if (this.startsWith('<?')) el.children.push(this.pi());
      else if (this.startsWith('<!')) this.fail('markup declarations are not accepted', this.startsWith('<!DOCTYPE') || this.startsWith('<!ENTITY') ? 'XML_DTD_FORBIDDEN' : 'XML_MALFORMED');
      else el.children.push(this.element(el, depth + 1));
    }
  }

  private attributeValue(): string {
    const quote = this.s.charAt(this.pos);
    if (quote !== '"' && quote !== "'") this.fail('expected a quoted attribute value');
    const end = this.s.indexOf(quote, this.pos + 1);
    if (end < 0) this.fail('unterminated attribute value');
    const raw = this.s.slice(this.pos + 1, end);
    if (raw.includes('<')) this.fail("'<' in an attribute value");
    const start = this.pos + 1;
    this.pos = end + 1;
    // §3.3.3: each literal white space character (after §2.11 line-end handling) becomes a space;
    // white space written as a character reference survives.
    return this.decodeReferences(normaliseLineEnds(raw).replace(/[\t\n]/gu, ' '), start);
  }

  private decodeReferences(chunk: string, at: number): string {
    if (!chunk.includes('&')) return chunk;
    return chunk.replace(/&([^;&]*)(;?)/gu, (_m, body: string, semi: string) => {
      if (semi !== ';') throw new ParseFailure('XML_MALFORMED', `'&' that starts no reference near offset ${at}`);
      if (body.startsWith('#')) {
        const code = /^#x[0-9A-Fa-f]+$/u.test(body) ? Number.parseInt(body.slice(2), 16) : /^#[0-9]+$/u.test(body) ? Number.parseInt(body.slice(1), 10) : Number.NaN;
        if (!isXmlChar(code)) throw new ParseFailure('XML_MALFORMED', `character reference &${body}; is not an XML character near offset ${at}`);
        return String.fromCodePoint(code);
      }
      const v = PREDEFINED[body];
      if (v === undefined) throw new ParseFailure('XML_ENTITY_FORBIDDEN', `entity reference &${body}; is not accepted (only the five predefined entities) near offset ${at}`);
      return v;
    });
  }
}

function isXmlChar(c: number): boolean {
  return c === 0x9 || c === 0xa || c === 0xd || (c >= 0x20 && c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd) || (c >= 0x10000 && c <= 0x10ffff);
}

function splitQName(qname: string): [string | null, string] {
  const i = qname.indexOf(':');
  return i < 0 ? [null, qname] : [qname.slice(0, i), qname.slice(i + 1)];
}

/** The element children of `el`. */
export function childElements(el: XmlElement): XmlElement[] {
  return el.children.filter((c): c is XmlElement => c.type === 'element');
}

/** The element children of `el` with this namespace and local name. */
export function childrenNamed(el: XmlElement, ns: string, localName: string): XmlElement[] {
  return childElements(el).filter((c) => c.namespaceURI === ns && c.localName === localName);
}

/** The concatenated text of `el`'s direct text children. */
export function directText(el: XmlElement): string {
  let out = '';
  for (const c of el.children) if (c.type === 'text') out += c.value;
  return out;
}

/** The value of the unqualified attribute `localName`, if present. */
export function attributeValue(el: XmlElement, localName: string): string | undefined {
  return el.attributes.find((a) => a.namespaceURI === null && a.localName === localName)?.value;
}

/** Every element of the subtree rooted at `el`, in document order (iterative: depth is bounded anyway). */
export function* descendantsAndSelf(el: XmlElement): Generator<XmlElement> {
  const stack: XmlElement[] = [el];
  for (;;) {
    const next = stack.pop();
    if (next === undefined) return;
    yield next;
    const kids = childElements(next);
    for (let i = kids.length - 1; i >= 0; i -= 1) {
      const k = kids[i];
      if (k !== undefined) stack.push(k);
    }
  }
}
