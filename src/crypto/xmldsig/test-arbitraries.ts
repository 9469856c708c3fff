/**
 * Test support: fast-check arbitraries for namespace-rich XML (prefixes declared, redeclared and
 * undeclared at several levels, namespaced attributes, escapes, Cyrillic and astral text,
 * comments, PIs, CDATA), rendered as text for the oracles (xmllint, xmlsec1) and our parser.
 */
import fc from 'fast-check';

export const GENERATED_PREFIXES = ['a', 'b', 'p', 'ns1'] as const;
// No '&' in namespace URIs: libxml2 writes them unescaped (see c14n.test.ts), so it is no oracle for them.
export const GENERATED_URIS = ['urn:x', 'urn:y', 'http://uri.etsi.org/02231/v2#', 'urn:x/%D0%96'] as const;

export interface GeneratedElement {
  prefix: string | null;
  decls: [string, string][];
  attrs: [string | null, string, string][];
  kids: (GeneratedElement | string)[];
}

const textChars = fc.constantFrom('a', 'Ж', ' ', '\n', '\t', '&lt;', '&amp;', '&gt;', '&#xD;', '&quot;', "'", '𝄞', 'é', '"');
const attrChars = fc.constantFrom('a', 'Ж', ' ', '&lt;', '&amp;', '>', '&#xD;', '&#xA;', '&#x9;', '&quot;', "'", '𝄞');
const str = (chars: fc.Arbitrary<string>): fc.Arbitrary<string> => fc.array(chars, { maxLength: 8 }).map((a) => a.join(''));

/** Namespace declarations: [prefix ('' = default), uri ('' undeclares the default)]. */
export const generatedDeclarations: fc.Arbitrary<[string, string][]> = fc.array(fc.tuple(fc.constantFrom('', ...GENERATED_PREFIXES), fc.constantFrom(...GENERATED_URIS, '')), { maxLength: 3 });

/** An element tree at most `depth` levels deep. */
export const generatedElement: (depth: number) => fc.Arbitrary<GeneratedElement> = fc.memo((depth) =>
  fc.record({
    prefix: fc.option(fc.constantFrom(...GENERATED_PREFIXES), { nil: null }),
    decls: generatedDeclarations,
    attrs: fc.array(fc.tuple(fc.option(fc.constantFrom(...GENERATED_PREFIXES), { nil: null }), fc.constantFrom('n', 'Ж', 'z', 'q'), str(attrChars)), { maxLength: 4 }),
    kids:
      depth <= 1
        ? fc.array(str(textChars), { maxLength: 2 })
        : fc.array(fc.oneof(generatedElement(depth - 1), str(textChars), fc.constantFrom('<!-- c -->', '<?pi x?>', '<![CDATA[<&>]]>')), { maxLength: 4 }),
  }),
);

/** Declaration attributes for `decls` (first one per prefix wins), and the scope they make. */
export function renderDeclarations(decls: readonly [string, string][], scope: ReadonlyMap<string, string>): { text: string; scope: Map<string, string> } {
  const local = new Map(scope);
  const seen = new Set<string>();
  let text = '';
  for (const [p, u] of decls) {
    if (seen.has(p) || (p !== '' && u === '')) continue;
    seen.add(p);
    local.set(p, u);
    text += p === '' ? ` xmlns="${u}"` : ` xmlns:${p}="${u}"`;
  }
  return { text, scope: local };
}

/** The element as namespace-well-formed XML text: prefixes used but not in scope are declared on the spot. */
export function renderGenerated(g: GeneratedElement, scope: ReadonlyMap<string, string> = new Map()): string {
  const declared = renderDeclarations(g.decls, scope);
  const local = declared.scope;
  let decl = declared.text;
  const need = [g.prefix, ...g.attrs.map((a) => a[0])].filter((p): p is string => p !== null);
  for (const p of need) {
    if (!local.has(p)) {
      local.set(p, 'urn:auto');
      decl += ` xmlns:${p}="urn:auto"`;
    }
  }
  const names = new Set<string>();
  let attrs = '';
  for (const [p, l, v] of g.attrs) {
    const key = `{${p === null ? '' : (local.get(p) ?? '')}}${l}`;
    if (names.has(key)) continue;
    names.add(key);
    attrs += ` ${p === null ? '' : `${p}:`}${l}="${v}"`;
  }
  const q = g.prefix === null ? 'e' : `${g.prefix}:e`;
  const kids = g.kids.map((k) => (typeof k === 'string' ? k : renderGenerated(k, local))).join('');
  return kids === '' ? `<${q}${decl}${attrs}/>` : `<${q}${decl}${attrs}>${kids}</${q}>`;
}
