/** The shared build/parse pipeline of envelope.xml and receipt.xml. */
import type { z } from 'zod';
import { readElement, writeElement, type ElementSpec } from './mapping.ts';
import { parseSafeXml, fail, type XmlParseOptions, type XmlResult } from './safe-xml.ts';
import { describeFirstIssue } from './schemas.ts';

export interface DocumentShape<T> {
  root: string;
  namespace: string;
  spec: ElementSpec;
  schema: z.ZodType<T>;
  /** "envelope" / "receipt", for messages. */
  label: string;
}

/** Validates `value` and writes it as indented UTF-8 XML with a declaration. */
export function buildDocument<T>(shape: DocumentShape<T>, value: T): Buffer {
  const checked = shape.schema.safeParse(value);
  if (!checked.success) {
    // A caller handing over an invalid model is a programming error, not a bad input.
    throw new TypeError(`invalid ${shape.label}: ${describeFirstIssue(checked.error)}`);
  }
  const body = writeElement(shape.root, shape.spec, checked.data as Record<string, unknown>, 0, ` xmlns="${shape.namespace}"`);
  return Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>\n${body}`, 'utf8');
}

/** Parses untrusted bytes into a validated model; every failure is a value, nothing throws. */
export function parseDocument<T>(shape: DocumentShape<T>, bytes: Uint8Array, options: XmlParseOptions = {}): XmlResult<T> {
  const tree = parseSafeXml(bytes, options);
  if (!tree.ok) return tree;
  const root = tree.value;
  const local = root.name.includes(':') ? root.name.slice(root.name.indexOf(':') + 1) : root.name;
  if (local !== shape.root) {
    return fail('XML_WRONG_ROOT', `root element is <${root.name}>, expected <${shape.root}>`);
  }
  if (root.name !== local || root.attributes['xmlns'] !== shape.namespace) {
    return fail('XML_WRONG_NAMESPACE', `<${shape.root}> must be in the default namespace ${shape.namespace}`);
  }
  if (root.attributes['version'] !== '1') {
    return fail('XML_WRONG_NAMESPACE', `<${shape.root}> must have version="1"`);
  }
  const plain = readElement(root, shape.spec, shape.namespace, shape.root);
  if (!plain.ok) return plain;
  const checked = shape.schema.safeParse(plain.value);
  if (!checked.success) {
    return fail('XML_INVALID', `invalid ${shape.label}: ${describeFirstIssue(checked.error)}`);
  }
  return { ok: true, value: checked.data };
}
