/**
 * Hostile-input gate in front of fast-xml-parser: size, encoding, DTD, processing instructions
 * and depth are checked on the raw bytes/text before any parser sees them, then the document is
 * reduced to a small element tree with entities decoded by XML 1.0's own rules only.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';

export type XmlErrorCode =
  | 'XML_TOO_LARGE'
  | 'XML_NOT_UTF8'
  | 'XML_DTD_FORBIDDEN'
  | 'XML_MALFORMED'
  | 'XML_TOO_DEEP'
  | 'XML_WRONG_ROOT'
  | 'XML_WRONG_NAMESPACE'
  | 'XML_INVALID';

export interface XmlError {
  code: XmlErrorCode;
  message: string;
}

export type XmlResult<T> = { ok: true; value: T } | { ok: false; error: XmlError };

export interface XmlParseOptions {
  /** Largest accepted document in bytes; default 1 MiB. */
  maxBytes?: number;
  /** Deepest accepted element nesting; default 32. */
  maxDepth?: number;
}

export const DEFAULT_MAX_XML_BYTES = 1024 * 1024;
export const DEFAULT_MAX_XML_DEPTH = 32;

/** One element: its name as written (with any prefix), attributes, element children and text. */
export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  /** Concatenated character data (text and CDATA) directly inside the element. */
  text: string;
}

export function fail(code: XmlErrorCode, message: string): { ok: false; error: XmlError } {
  return { ok: false, error: { code, message } };
}

// XML 1.0 §2.2: characters outside Char; a document containing one is not well-formed.
const NON_XML_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/u;
const DECLARATION = /^<\?xml(\s[^?]*)?\?>/u;
const ENCODING = /\sencoding\s*=\s*(?:"([^"]*)"|'([^']*)')/u;

// A non-streaming decode() starts from a clean state each call, so one decoder serves every document.
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** Decodes bytes as strict UTF-8 and rejects anything that claims or looks like another encoding. */
function decodeUtf8(bytes: Uint8Array): XmlResult<string> {
  const b0 = bytes[0];
  const b1 = bytes[1];
  if ((b0 === 0xfe && b1 === 0xff) || (b0 === 0xff && b1 === 0xfe)) {
    return fail('XML_NOT_UTF8', 'UTF-16 byte order mark: only UTF-8 is accepted');
  }
  // UTF-16 without a BOM starts with '<' next to a zero byte (XML 1.0 Appendix F).
  if ((b0 === 0x00 && b1 === 0x3c) || (b0 === 0x3c && b1 === 0x00)) {
    return fail('XML_NOT_UTF8', 'looks like UTF-16: only UTF-8 is accepted');
  }
  let text: string;
  try {
    text = UTF8.decode(bytes);
  } catch {
    return fail('XML_NOT_UTF8', 'not valid UTF-8');
  }
  const decl = DECLARATION.exec(text);
  if (decl !== null) {
    const enc = ENCODING.exec(decl[1] ?? '');
    const name = enc === null ? undefined : (enc[1] ?? enc[2] ?? '');
    if (name !== undefined && name.toLowerCase() !== 'utf-8' && name.toLowerCase() !== 'utf8') {
      return fail('XML_NOT_UTF8', `declared encoding "${name}": only UTF-8 is accepted`);
    }
  }
  return { ok: true, value: text };
}

/**
 * Deepest element nesting, by a linear scan that skips comments, CDATA, processing instructions
 * and quoted attribute values. It runs before the parser so a 10,000-deep document never reaches
 * a recursive algorithm.
 */
export function maxNestingDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let i = text.indexOf('<');
  while (i >= 0 && i < text.length) {
    if (text.startsWith('<!--', i)) {
      const end = text.indexOf('-->', i + 4);
      i = end < 0 ? text.length : end + 3;
    } else if (text.startsWith('<![CDATA[', i)) {
      const end = text.indexOf(']]>', i + 9);
      i = end < 0 ? text.length : end + 3;
    } else if (text.startsWith('<?', i)) {
      const end = text.indexOf('?>', i + 2);
      i = end < 0 ? text.length : end + 2;
    } else if (text.startsWith('</', i)) {
      depth -= 1;
      const end = text.indexOf('>', i + 2);
      i = end < 0 ? text.length : end + 1;
    } else {
      let j = i + 1;
      let quote = '';
      while (j < text.length) {
        const c = text[j];
        if (quote !== '') {
          if (c === quote) quote = '';
        } else if (c === '"' || c === "'") {
          quote = c;
        } else if (c === '>') {
          break;
        }
        j += 1;
      }
      if (text[j - 1] !== '/') {
        depth += 1;
        if (depth > max) max = depth;
      }
      i = j + 1;
    }
    i = text.indexOf('<', i);
  }
  return max;
}

const REFERENCE = /&([^;&\s]{0,16});?/gu;
const PREDEFINED: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function isXmlChar(cp: number): boolean {
  return (
    cp === 0x9 ||
    cp === 0xa ||
    cp === 0xd ||
    (cp >= 0x20 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd) ||
    (cp >= 0x10000 && cp <= 0x10ffff)
  );
}

/**
 * Replaces the five predefined entities and character references (XML 1.0 §4.1, §4.6) in one
 * pass, so `&amp;lt;` stays `&lt;`. Any other reference is an error: without a DTD nothing else
 * can be declared.
 */
export function decodeReferences(raw: string): XmlResult<string> {
  if (!raw.includes('&')) return { ok: true, value: raw };
  let bad: string | undefined;
  const value = raw.replace(REFERENCE, (whole: string, name: string) => {
    if (!whole.endsWith(';')) {
      bad ??= whole;
      return whole;
    }
    const predefined = PREDEFINED[name];
    if (predefined !== undefined) return predefined;
    const m = /^#(?:x([0-9a-fA-F]{1,6})|([0-9]{1,7}))$/u.exec(name);
    const cp = m === null ? NaN : m[1] !== undefined ? parseInt(m[1], 16) : Number(m[2]);
    if (Number.isNaN(cp) || !isXmlChar(cp)) {
      bad ??= whole;
      return whole;
    }
    return String.fromCodePoint(cp);
  });
  if (bad !== undefined) return fail('XML_MALFORMED', `undefined or invalid reference "${bad}"`);
  return { ok: true, value };
}

type OrderedNode = Record<string, unknown>;

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  // Entities are decoded by decodeReferences, by the XML rules alone (no HTML entities, no DTD).
  processEntities: false,
  htmlEntities: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  cdataPropName: '#cdata',
  allowBooleanAttributes: false,
  // No callbacks are used: without this the parser renders the element path as a string for
  // every text node and attribute.
  jPath: false,
});

function isRecord(v: unknown): v is OrderedNode {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function toElement(name: string, node: OrderedNode): XmlResult<XmlElement> {
  const attributes: Record<string, string> = {};
  const rawAttributes = node[':@'];
  if (isRecord(rawAttributes)) {
    for (const [key, raw] of Object.entries(rawAttributes)) {
      if (typeof raw !== 'string') return fail('XML_MALFORMED', `attribute ${key} of <${name}> has no value`);
      const decoded = decodeReferences(raw);
      if (!decoded.ok) return decoded;
      attributes[key] = decoded.value;
    }
  }
  const content = node[name];
  const children: XmlElement[] = [];
  let text = '';
  if (Array.isArray(content)) {
    for (const item of content) {
      if (!isRecord(item)) continue;
      const kind = Object.keys(item).find((k) => k !== ':@');
      if (kind === undefined) continue;
      if (kind === '#text') {
        const decoded = decodeReferences(String(item['#text']));
        if (!decoded.ok) return decoded;
        text += decoded.value;
      } else if (kind === '#cdata') {
        const inner = item['#cdata'];
        if (Array.isArray(inner)) {
          for (const piece of inner) if (isRecord(piece)) text += String(piece['#text'] ?? '');
        }
      } else {
        const child = toElement(kind, item);
        if (!child.ok) return child;
        children.push(child.value);
      }
    }
  }
  return { ok: true, value: { name, attributes, children, text } };
}

/**
 * Parses untrusted XML bytes into an element tree, refusing (as values, never by throwing)
 * oversized input, non-UTF-8 input, any DTD or entity declaration (XXE, billion laughs), processing
 * instructions, excessive nesting and malformed XML.
 */
export function parseSafeXml(bytes: Uint8Array, options: XmlParseOptions = {}): XmlResult<XmlElement> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_XML_BYTES;
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_XML_DEPTH;
  if (bytes.length > maxBytes) {
    return fail('XML_TOO_LARGE', `document is ${bytes.length} bytes, the limit is ${maxBytes}`);
  }
  const decoded = decodeUtf8(bytes);
  if (!decoded.ok) return decoded;
  let text = decoded.value;
  if (text.startsWith('\uFEFF')) text = text.slice(1);

  if (/<!(?:DOCTYPE|ENTITY)/iu.test(text)) {
    return fail('XML_DTD_FORBIDDEN', 'DTDs and entity declarations are not allowed');
  }
  if (NON_XML_CHAR.test(text)) {
    return fail('XML_MALFORMED', 'contains a character that XML 1.0 does not allow');
  }
  const declaration = DECLARATION.exec(text);
  const afterDeclaration = declaration === null ? 0 : declaration[0].length;
  if (text.indexOf('<?', afterDeclaration) >= 0) {
    return fail('XML_MALFORMED', 'processing instructions are not allowed');
  }
  const depth = maxNestingDepth(text);
  if (depth > maxDepth) {
    return fail('XML_TOO_DEEP', `elements nest ${depth} deep, the limit is ${maxDepth}`);
  }

  const valid = XMLValidator.validate(text, { allowBooleanAttributes: false });
  if (valid !== true) {
    const e = valid.err;
    return fail('XML_MALFORMED', `${e.msg} (line ${e.line}, column ${e.col})`);
  }

  let nodes: unknown;
  try {
    nodes = parser.parse(text);
  } catch (error) {
    return fail('XML_MALFORMED', error instanceof Error ? error.message : 'parser failed');
  }
  const roots = Array.isArray(nodes) ? nodes.filter(isRecord) : [];
  const elements = roots.flatMap((node) => {
    const name = Object.keys(node).find((k) => k !== ':@' && !k.startsWith('#') && !k.startsWith('?'));
    return name === undefined ? [] : [{ name, node }];
  });
  const root = elements[0];
  if (root === undefined || elements.length !== 1) {
    return fail('XML_MALFORMED', 'a document must have exactly one root element');
  }
  return toElement(root.name, root.node);
}
