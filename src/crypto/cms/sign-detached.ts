/** Detached CAdES-BES signing (RFC 5652 SignedData, RFC 5035 signing-certificate-v2). */
import { sign, type KeyObject } from 'node:crypto';
import { digestAlgorithmOid, nodeHashName, type DigestAlgorithm } from '../digest.ts';
import { OID } from '../oids.ts';
import type { RsaScheme } from '../types.ts';
import { encodeSignatureAlgorithm, hashLength, nodeKeyOptions, schemeForKey } from './algorithms.ts';
import { algorithmIdentifier, derInteger, derOid, derSetOf, tlv, TAG } from './der.ts';
import { encodeSigningCertificateV2 } from './ess-signing-certificate.ts';
import { parseCertificate } from './parsed-certificate.ts';
import { encodeSignedAttributes } from './signed-attributes.ts';

export interface SignDetachedInput {
  /** Digest of the signed bytes, computed by the caller (files are streamed). */
  contentDigest: Buffer;
  digestAlgorithm: DigestAlgorithm;
  /** RSA, RSA-PSS or EC P-256/P-384 private key. */
  privateKey: KeyObject;
  /** Signer certificate, DER. */
  certificate: Buffer;
  /** Intermediate certificates to embed, DER. */
  extraCertificates?: readonly Buffer[];
  signingTime: Date;
  /** `pkcs1` (default) or `pss`; ignored for EC keys. */
  rsaScheme?: RsaScheme;
}

/** Deliberate deviations, for negative tests only; not exported from index.ts. */
export interface SignDetachedTestOverrides {
  /** The contentType attribute value (default id-data). */
  contentTypeAttribute?: string;
  /** Certificate named in signing-certificate-v2 instead of the signer's. */
  essCertificate?: Buffer;
}

/**
 * Signs a detached CMS SignedData (RFC 5652 §5): version 1, eContentType id-data without eContent,
 * certificates [signer, ...extra], one SignerInfo v1 identified by issuerAndSerialNumber, with the
 * CAdES-BES signed attributes (contentType, signingTime, messageDigest, signing-certificate-v2).
 * The signature covers the DER of the signed attributes as an explicit SET OF (RFC 5652 §5.4).
 * @returns DER ContentInfo.
 * @throws Error on programmer errors: wrong digest length, unparseable certificate, unsupported key type.
 */
export function signDetached(input: SignDetachedInput): Buffer {
  return signDetachedWithOverrides(input, {});
}

/** {@link signDetached} with test-only overrides. */
export function signDetachedWithOverrides(input: SignDetachedInput, overrides: SignDetachedTestOverrides): Buffer {
  if (input.contentDigest.length !== hashLength(input.digestAlgorithm)) {
    throw new Error(`contentDigest has ${input.contentDigest.length} bytes, ${input.digestAlgorithm} needs ${hashLength(input.digestAlgorithm)}`);
  }
  const cert = parseCertificate(input.certificate);
  if (!cert.ok) throw new Error(`signer certificate: ${cert.error.message}`);
  const scheme = schemeForKey(input.privateKey, input.digestAlgorithm, input.rsaScheme ?? 'pkcs1');
  if (scheme === null) throw new Error(`unsupported private key type ${input.privateKey.asymmetricKeyType ?? '?'}`);

  let essCert = cert.value;
  if (overrides.essCertificate !== undefined) {
    const other = parseCertificate(overrides.essCertificate);
    if (!other.ok) throw new Error(`ESS certificate: ${other.error.message}`);
    essCert = other.value;
  }
  const signedAttrs = encodeSignedAttributes({
    contentType: overrides.contentTypeAttribute ?? OID.data,
    signingTime: input.signingTime,
    messageDigest: input.contentDigest,
    signingCertificateV2: encodeSigningCertificateV2(essCert),
  });
  const signature = sign(nodeHashName(input.digestAlgorithm), signedAttrs, { key: input.privateKey, ...nodeKeyOptions(scheme) });

  const digestAlg = algorithmIdentifier(digestAlgorithmOid(input.digestAlgorithm));
  const signerInfo = tlv(
    TAG.sequence,
    derInteger(1),
    tlv(TAG.sequence, cert.value.issuerDer, cert.value.serialTlv),
    digestAlg,
    // Same content as the signed SET OF, under the [0] IMPLICIT tag.
    Buffer.concat([Buffer.from([TAG.context0]), signedAttrs.subarray(1)]),
    encodeSignatureAlgorithm(scheme),
    tlv(TAG.octetString, signature),
  );
  const certificates = [input.certificate, ...(input.extraCertificates ?? [])];
  const signedData = tlv(
    TAG.sequence,
    derInteger(1),
    derSetOf([digestAlg]),
    tlv(TAG.sequence, derOid(OID.data)),
    // CertificateSet is a SET OF but RFC 5652 readers (and OpenSSL) take the signer from any
    // position; keeping the given order is what the API documents.
    tlv(TAG.context0, ...certificates),
    derSetOf([signerInfo]),
  );
  return tlv(TAG.sequence, derOid(OID.signedData), tlv(TAG.context0, signedData));
}
