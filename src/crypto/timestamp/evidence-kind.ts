/**
 * Recognising long-term evidence by its DER structure, whatever its file is called: an X.509 CRL
 * (RFC 5280 §5.1), an OCSPResponse (RFC 6960 §4.2.1) or an RFC 3161 time-stamp token (a
 * ContentInfo whose SignedData encapsulates a TSTInfo, RFC 3161 §2.4.2).
 */
import { children } from '../der-writer.ts';
import { timestampImprint } from './verify-timestamp-token.ts';

export type EvidenceKind = 'crl' | 'ocsp' | 'signature-timestamp';

const TAG_SEQUENCE = 0x30;
const TAG_INTEGER = 0x02;
const TAG_ENUMERATED = 0x0a;
const TAG_OID = 0x06;
const TAG_BIT_STRING = 0x03;
const TAG_UTC_TIME = 0x17;
const TAG_GENERALIZED_TIME = 0x18;

function isCrl(der: Uint8Array): boolean {
  const [tbs, algorithm, signature] = children(der);
  if (tbs?.tag !== TAG_SEQUENCE || algorithm?.tag !== TAG_SEQUENCE || signature?.tag !== TAG_BIT_STRING) return false;
  const fields = children(tbs.bytes);
  // TBSCertList: [version INTEGER] signature, issuer, thisUpdate Time — a certificate's TBS has a
  // [0] version, a serial INTEGER and a Validity SEQUENCE where the CRL has a Time.
  const shift = fields[0]?.tag === TAG_INTEGER ? 1 : 0;
  const time = fields[shift + 2]?.tag;
  return fields[shift]?.tag === TAG_SEQUENCE && fields[shift + 1]?.tag === TAG_SEQUENCE && (time === TAG_UTC_TIME || time === TAG_GENERALIZED_TIME);
}

/**
 * What a DER object is, as evidence kept with a message; `null` when it is none of them (or not
 * DER). Reads the structure only: nothing is verified here.
 */
export function classifyEvidence(der: Uint8Array): EvidenceKind | null {
  try {
    if (der[0] !== TAG_SEQUENCE) return null;
    const top = children(der);
    const first = top[0];
    if (first?.tag === TAG_ENUMERATED) return 'ocsp';
    if (first?.tag === TAG_OID) return timestampImprint(der) === null ? null : 'signature-timestamp';
    return isCrl(der) ? 'crl' : null;
  } catch {
    return null;
  }
}
