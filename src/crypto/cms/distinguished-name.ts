/**
 * One-line distinguished names as OpenSSL prints them with `-nameopt RFC2253` (RFC 4514 §2):
 * RDNs most significant last, `+` between the values of a multi-valued RDN, RFC 4514 escaping,
 * UTF-8 kept as text, non-string values as `#` + DER hex.
 */
import * as asn1js from 'asn1js';
import { OID } from '../oids.ts';
import { children, parseStrict } from './der.ts';

const SHORT_NAMES: Readonly<Record<string, string>> = {
  [OID.commonName]: 'CN',
  [OID.organizationName]: 'O',
  [OID.organizationalUnitName]: 'OU',
  [OID.countryName]: 'C',
  [OID.localityName]: 'L',
  [OID.stateOrProvinceName]: 'ST',
  [OID.streetAddress]: 'STREET',
  [OID.surname]: 'SN',
  [OID.givenName]: 'GN',
  [OID.title]: 'T',
  [OID.serialNumber]: 'serialNumber',
  [OID.emailAddress]: 'emailAddress',
  [OID.ogrn]: 'OGRN',
  [OID.ogrnip]: 'OGRNIP',
  [OID.snils]: 'SNILS',
  [OID.innle]: 'INNLE',
  [OID.inn]: 'INN',
};

/** One AttributeTypeAndValue of a Name, in encoding order. */
export interface NameAttribute {
  type: string;
  /** Decoded text for string types, `undefined` for anything else. */
  text: string | undefined;
  /** DER of the value, for the `#hex` form. */
  der: Buffer;
}

/** Text of an ASN.1 string value (UTF8String, PrintableString, NumericString, IA5String, BMPString ...). */
export function asn1StringText(value: unknown): string | undefined {
  if (
    value instanceof asn1js.Utf8String ||
    value instanceof asn1js.BmpString ||
    value instanceof asn1js.UniversalString ||
    value instanceof asn1js.PrintableString ||
    value instanceof asn1js.NumericString ||
    value instanceof asn1js.IA5String ||
    value instanceof asn1js.VisibleString ||
    value instanceof asn1js.TeletexString
  ) {
    return value.valueBlock.value;
  }
  return undefined;
}

/** Parses a DER Name into its RDNs (each a list of attributes); `null` when it is not a Name. */
export function parseName(der: Uint8Array): NameAttribute[][] | null {
  const name = parseStrict(der);
  if (!(name instanceof asn1js.Sequence)) return null;
  const rdns: NameAttribute[][] = [];
  for (const rdn of children(name)) {
    if (!(rdn instanceof asn1js.Set)) return null;
    const attrs: NameAttribute[] = [];
    for (const atv of children(rdn)) {
      const [type, value] = children(atv);
      if (!(atv instanceof asn1js.Sequence) || !(type instanceof asn1js.ObjectIdentifier) || value === undefined) return null;
      attrs.push({ type: type.valueBlock.toString(), text: asn1StringText(value), der: Buffer.from(value.valueBeforeDecodeView) });
    }
    rdns.push(attrs);
  }
  return rdns;
}

/** RFC 4514 §2.4 escaping. */
export function escapeRfc4514(value: string): string {
  let out = value.replace(/[\\"+,;<>]/gu, (c) => `\\${c}`).replace(/\0/gu, '\\00');
  if (out.startsWith('#') || out.startsWith(' ')) out = `\\${out}`;
  if (out.endsWith(' ') && out.length > 1 && !out.endsWith('\\ ')) out = `${out.slice(0, -1)}\\ `;
  return out;
}

function formatAttribute(a: NameAttribute): string {
  const key = SHORT_NAMES[a.type] ?? a.type;
  const value = a.text === undefined ? `#${a.der.toString('hex')}` : escapeRfc4514(a.text);
  return `${key}=${value}`;
}

/** A DER Name as one RFC 2253 line, or `null` when the bytes are not a Name. */
export function formatName(der: Uint8Array): string | null {
  const rdns = parseName(der);
  if (rdns === null) return null;
  return [...rdns]
    .reverse()
    .map((rdn) => rdn.map(formatAttribute).join('+'))
    .join(',');
}

/** First value of attribute `type` in a Name, as text. */
export function nameAttributeText(rdns: readonly NameAttribute[][], type: string): string | undefined {
  for (const rdn of rdns) {
    for (const a of rdn) {
      if (a.type === type && a.text !== undefined) return a.text;
    }
  }
  return undefined;
}
