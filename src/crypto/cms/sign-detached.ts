/** Detached CAdES-BES signing (RFC 5652 SignedData, RFC 5035 signing-certificate-v2). */
import { sign } from 'node:crypto';
import { digestAlgorithmOid, digestBytes, nodeHashName, type DigestAlgorithm } from '../digest.ts';
import { gostSign } from '../gost/index.ts';
import { isGostSigningKey, type SigningKey } from '../keys.ts';
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
  /**
   * RSA, RSA-PSS or EC P-256/P-384 private key, or a GOST R 34.10-2012 key, which signs only
   * Streebog of its own size (`signingDigestFor` picks it).
   */
  privateKey: SigningKey;
  /** Signer certificate, DER. */
  certificate: Buffer;
  /** Intermediate certificates to embed, DER. */
  extraCertificates?: readonly Buffer[];
  signingTime: Date;
  /** `pkcs1` (default) or `pss`; ignored for EC and GOST keys. */
  rsaScheme?: RsaScheme;
  /** Random source for GOST's per-signature k (default node:crypto randomBytes); RSA/ECDSA use OpenSSL's. */
  random?: (length: number) => Uint8Array;
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
 * GOST keys write what `openssl cms -sign -cades -engine gost` writes: digestAlgorithm
 * Streebog-256/512, signatureAlgorithm id-tc26-gost3410-12-256/512, the signature s || r over
 * Streebog of the signed attributes (RFC 9215 §3), and an ESSCertIDv2 hashed with Streebog-256,
 * the hash of Russian CAdES profiles (OpenSSL reads any hash there).
 * @returns DER ContentInfo.
 * @throws Error on programmer errors: wrong digest length, unparseable certificate, unsupported
 *   key type or a key/digest pair that does not exist (a GOST key with SHA-2, RSA with Streebog).
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
  const key = input.privateKey;
  const scheme = schemeForKey(key, input.digestAlgorithm, input.rsaScheme ?? 'pkcs1');
  if (scheme === null) {
    const what = isGostSigningKey(key) ? `GOST R 34.10-2012 ${key.privateKey.paramSet.curve.bits}-bit` : (key.asymmetricKeyType ?? '?');
    throw new Error(`a ${what} key cannot sign with ${input.digestAlgorithm}`);
  }

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
    signingCertificateV2: encodeSigningCertificateV2(essCert, isGostSigningKey(key) ? 'streebog-256' : 'sha-256'),
  });
  let signature: Buffer;
  if (isGostSigningKey(key)) {
    const signed = gostSign({
      digest: digestBytes(input.digestAlgorithm, signedAttrs),
      privateKey: key.privateKey,
      ...(input.random === undefined ? {} : { random: input.random }),
    });
    if (!signed.ok) throw new Error(`GOST signing failed: ${signed.error.message}`);
    signature = signed.value;
  } else {
    signature = sign(nodeHashName(input.digestAlgorithm), signedAttrs, { key, ...nodeKeyOptions(scheme) });
  }

  // OpenSSL's GOST engine writes the Streebog digest AlgorithmIdentifier with NULL parameters
  // (RFC 4490 §2 lineage); SHA-2 has them absent (RFC 5754 §2).
  const digestAlg = isGostSigningKey(key)
    ? algorithmIdentifier(digestAlgorithmOid(input.digestAlgorithm), Buffer.from([0x05, 0x00]))
    : algorithmIdentifier(digestAlgorithmOid(input.digestAlgorithm));
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
