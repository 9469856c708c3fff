/**
 * CAdES-BES signed attributes (ETSI EN 319 122-1 §5.1, RFC 5652 §11): contentType, signingTime,
 * messageDigest and signing-certificate-v2, DER-encoded as the SET OF that is signed (RFC 5652 §5.4).
 */
import { OID } from '../oids.ts';
import { derOid, derSetOf, derTime, tlv, TAG } from './der.ts';

/** One Attribute ::= SEQUENCE { attrType OID, attrValues SET OF ANY } with one value. */
export function encodeAttribute(type: string, value: Buffer): Buffer {
  return tlv(TAG.sequence, derOid(type), derSetOf([value]));
}

export interface SignedAttributesInput {
  contentType: string;
  signingTime: Date;
  messageDigest: Buffer;
  /** DER SigningCertificateV2 value. */
  signingCertificateV2: Buffer;
}

/**
 * The signed attributes as a DER SET OF (tag 0x31): the exact bytes the signature covers.
 * In the SignerInfo the same content goes under the [0] IMPLICIT tag (0xA0).
 */
export function encodeSignedAttributes(input: SignedAttributesInput): Buffer {
  return derSetOf([
    encodeAttribute(OID.contentType, derOid(input.contentType)),
    encodeAttribute(OID.signingTime, derTime(input.signingTime)),
    encodeAttribute(OID.messageDigest, tlv(TAG.octetString, input.messageDigest)),
    encodeAttribute(OID.signingCertificateV2, input.signingCertificateV2),
  ]);
}
