/**
 * Reads a DER ContentInfo holding SignedData (RFC 5652 §3, §5) into the parts validation needs.
 * pkijs checks the structure; the embedded certificates are taken as raw bytes so that their
 * hashes (ESS) and signatures are computed over exactly what was received.
 */
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { OID } from '../oids.ts';
import type { CryptoResult } from '../types.ts';
import { children, isContextTag, parseStrict, rawBytes } from './der.ts';

export type SignerIdentifier =
  | { kind: 'issuer-serial'; issuerDer: Buffer; serialValue: Buffer }
  | { kind: 'subject-key-id'; keyId: Buffer };

export interface SignedAttribute {
  type: string;
  values: asn1js.AsnType[];
}

export interface ParsedSignerInfo {
  sid: SignerIdentifier;
  digestAlgorithmOid: string;
  /** DER of the signed attributes re-tagged as SET OF (0x31): the signed bytes (RFC 5652 §5.4). */
  signedAttrsDer: Buffer | undefined;
  signedAttrs: SignedAttribute[];
  signatureAlgorithmOid: string;
  signatureAlgorithmParams: unknown;
  signature: Buffer;
}

export interface ParsedSignedData {
  eContentType: string;
  hasEContent: boolean;
  digestAlgorithmOids: string[];
  /** DER of every X.509 certificate in SignedData.certificates, in order. */
  certificates: Buffer[];
  signers: ParsedSignerInfo[];
}

function signerIdentifier(sid: unknown): SignerIdentifier | null {
  if (sid instanceof pkijs.IssuerAndSerialNumber) {
    return {
      kind: 'issuer-serial',
      issuerDer: Buffer.from(sid.issuer.valueBeforeDecode),
      serialValue: Buffer.from(sid.serialNumber.valueBlock.valueHexView),
    };
  }
  if (sid instanceof asn1js.BaseBlock && isContextTag(sid, 0)) {
    const hex = (sid.valueBlock as { valueHexView?: Uint8Array }).valueHexView;
    if (hex !== undefined && hex.length > 0) return { kind: 'subject-key-id', keyId: Buffer.from(hex) };
  }
  return null;
}

/** Parses `der` as ContentInfo(SignedData); errors for anything else or anything malformed. */
export function parseSignedData(der: Uint8Array): CryptoResult<ParsedSignedData, 'CMS_MALFORMED' | 'CMS_UNSUPPORTED'> {
  const malformed = (message: string): CryptoResult<ParsedSignedData, 'CMS_MALFORMED'> => ({
    ok: false,
    error: { code: 'CMS_MALFORMED', message },
  });
  const top = parseStrict(der);
  if (top === null) return malformed('not a single DER/BER element');
  let contentInfo: pkijs.ContentInfo;
  let signedData: pkijs.SignedData;
  try {
    contentInfo = new pkijs.ContentInfo({ schema: top });
  } catch {
    return malformed('not a CMS ContentInfo');
  }
  if (contentInfo.contentType !== OID.signedData) {
    return { ok: false, error: { code: 'CMS_UNSUPPORTED', message: `content type ${contentInfo.contentType} is not SignedData` } };
  }
  try {
    signedData = new pkijs.SignedData({ schema: contentInfo.content });
  } catch (e) {
    return malformed(`SignedData is malformed: ${e instanceof Error ? e.message : String(e)}`);
  }

  const certificates: Buffer[] = [];
  const sdBlock = children(children(top)[1] ?? top)[0];
  for (const field of sdBlock === undefined ? [] : children(sdBlock)) {
    if (!isContextTag(field, 0)) continue;
    for (const c of children(field)) {
      if (c instanceof asn1js.Sequence) certificates.push(rawBytes(c));
    }
  }

  const signers: ParsedSignerInfo[] = [];
  for (const si of signedData.signerInfos) {
    const sid = signerIdentifier(si.sid);
    if (sid === null) return malformed('SignerInfo has an unreadable signer identifier');
    const attrs = si.signedAttrs;
    signers.push({
      sid,
      digestAlgorithmOid: si.digestAlgorithm.algorithmId,
      signedAttrsDer: attrs === undefined ? undefined : Buffer.from(attrs.encodedValue),
      signedAttrs: (attrs?.attributes ?? []).map((a) => ({ type: a.type, values: [...(a.values as asn1js.AsnType[])] })),
      signatureAlgorithmOid: si.signatureAlgorithm.algorithmId,
      signatureAlgorithmParams: si.signatureAlgorithm.algorithmParams,
      signature: Buffer.from(si.signature.valueBlock.valueHexView),
    });
  }
  return {
    ok: true,
    value: {
      eContentType: signedData.encapContentInfo.eContentType,
      hasEContent: signedData.encapContentInfo.eContent !== undefined,
      digestAlgorithmOids: signedData.digestAlgorithms.map((a) => a.algorithmId),
      certificates,
      signers,
    },
  };
}
