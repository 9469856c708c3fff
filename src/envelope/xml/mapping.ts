/**
 * One declarative description per document shape, used in both directions: element tree → plain
 * object (before zod validation) and model → XML text. Sharing it keeps the writer and the reader in
 * the same element order, which is also the order of the xs:sequence in the XSD.
 */
import { fail, type XmlElement, type XmlResult } from './safe-xml.ts';

export type FieldSpec =
  | { readonly type: 'text' }
  /** Canonical decimal digits → number; anything else stays a string for zod to reject. */
  | { readonly type: 'integer' }
  | { readonly type: 'element'; readonly element: ElementSpec }
  /** A wrapper element holding only repeated `item` children → array. */
  | { readonly type: 'list'; readonly item: string; readonly element: ElementSpec };

export interface ChildSpec {
  readonly xml: string;
  readonly key: string;
  readonly field: FieldSpec;
  /** Repeated child → array of values (empty elements aside, at least one when present). */
  readonly repeated?: boolean;
}

export interface ElementSpec {
  readonly attributes?: readonly { readonly xml: string; readonly key: string }[];
  /** Key receiving the element's own text (elements with text have no element children). */
  readonly text?: string;
  readonly children?: readonly ChildSpec[];
}

type Plain = Record<string, unknown>;
const WHITESPACE = /^[ \t\r\n]*$/u;

/** Reads an element tree into a plain object shaped by `spec`; structure errors are XML_INVALID. */
export function readElement(el: XmlElement, spec: ElementSpec, namespace: string, path: string): XmlResult<Plain> {
  const out: Plain = {};
  for (const [name, value] of Object.entries(el.attributes)) {
    const attr = spec.attributes?.find((a) => a.xml === name);
    if (attr !== undefined) out[attr.key] = value;
    else if (!(name === 'xmlns' && value === namespace)) {
      return fail('XML_INVALID', `${path}: unexpected attribute "${name}"`);
    }
  }
  if (spec.text !== undefined) {
    const first = el.children[0];
    if (first !== undefined) return fail('XML_INVALID', `${path}: unexpected element <${first.name}>`);
    out[spec.text] = el.text;
    return { ok: true, value: out };
  }
  if (!WHITESPACE.test(el.text)) return fail('XML_INVALID', `${path}: unexpected text`);
  const children = spec.children ?? [];
  let lastIndex = -1;
  for (const child of el.children) {
    const index = children.findIndex((c) => c.xml === child.name);
    const childSpec = children[index];
    const childPath = `${path}/${child.name}`;
    if (childSpec === undefined) return fail('XML_INVALID', `${path}: unexpected element <${child.name}>`);
    if (index < lastIndex || (index === lastIndex && childSpec.repeated !== true)) {
      return fail('XML_INVALID', `${childPath}: out of order or repeated`);
    }
    lastIndex = index;
    const value = readField(child, childSpec.field, namespace, childPath);
    if (!value.ok) return value;
    if (childSpec.repeated === true) {
      const list = out[childSpec.key];
      if (Array.isArray(list)) list.push(value.value);
      else out[childSpec.key] = [value.value];
    } else {
      out[childSpec.key] = value.value;
    }
  }
  return { ok: true, value: out };
}

function readField(el: XmlElement, field: FieldSpec, namespace: string, path: string): XmlResult<unknown> {
  switch (field.type) {
    case 'element':
      return readElement(el, field.element, namespace, path);
    case 'list': {
      const wrapper = readElement(
        el,
        { children: [{ xml: field.item, key: 'items', field: { type: 'element', element: field.element }, repeated: true }] },
        namespace,
        path,
      );
      if (!wrapper.ok) return wrapper;
      const items = wrapper.value['items'];
      return { ok: true, value: Array.isArray(items) ? items : [] };
    }
    case 'text':
    case 'integer': {
      const leaf = readElement(el, { text: 'value' }, namespace, path);
      if (!leaf.ok) return leaf;
      const text = String(leaf.value['value']);
      if (field.type === 'integer' && /^(?:0|[1-9][0-9]{0,15})$/u.test(text)) return { ok: true, value: Number(text) };
      return { ok: true, value: text };
    }
  }
}

function isPlain(v: unknown): v is Plain {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// Every '&' is escaped, including ones that look like references: a subject may legitimately
// read "&amp;", and xmlbuilder2 would pass such text through unescaped (its nonEntityAmpersand rule).
function escapeText(value: string): string {
  return value.replace(/&/gu, '&amp;').replace(/</gu, '&lt;').replace(/>/gu, '&gt;').replace(/\r/gu, '&#xD;');
}

// Attribute values also escape quotes and the whitespace that attribute normalisation (XML 1.0 §3.3.3) would fold.
function escapeAttribute(value: string): string {
  return escapeText(value).replace(/"/gu, '&quot;').replace(/\t/gu, '&#x9;').replace(/\n/gu, '&#xA;');
}

const INDENT = '  ';

/**
 * Serialises `value` as element `name` shaped by `spec`, one element per line indented by depth;
 * text-only elements stay on one line so their content is exactly the value. Absent keys are skipped.
 */
export function writeElement(name: string, spec: ElementSpec, value: Plain, depth: number, extraAttributes = ''): string {
  const pad = INDENT.repeat(depth);
  let attrs = extraAttributes;
  for (const attr of spec.attributes ?? []) {
    const v = value[attr.key];
    if (v !== undefined) attrs += ` ${attr.xml}="${escapeAttribute(String(v))}"`;
  }
  if (spec.text !== undefined) {
    return `${pad}<${name}${attrs}>${escapeText(String(value[spec.text]))}</${name}>\n`;
  }
  let body = '';
  for (const child of spec.children ?? []) {
    const v = value[child.key];
    if (v === undefined) continue;
    const items: unknown[] = child.repeated === true && Array.isArray(v) ? v : [v];
    for (const item of items) body += writeField(child.xml, child.field, item, depth + 1);
  }
  return body === '' ? `${pad}<${name}${attrs}/>\n` : `${pad}<${name}${attrs}>\n${body}${pad}</${name}>\n`;
}

function writeField(name: string, field: FieldSpec, value: unknown, depth: number): string {
  switch (field.type) {
    case 'text':
    case 'integer':
      return writeElement(name, { text: 'value' }, { value }, depth);
    case 'element':
      return writeElement(name, field.element, isPlain(value) ? value : {}, depth);
    case 'list': {
      const items = Array.isArray(value) ? value : [];
      return writeElement(
        name,
        { children: [{ xml: field.item, key: 'items', field: { type: 'element', element: field.element }, repeated: true }] },
        { items },
        depth,
      );
    }
  }
}
