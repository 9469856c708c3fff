/** The crypto domain: digests, keys, certificates, CMS signatures and their validation (no I/O beyond the dev PKI files). */
export {
  DIGEST_ALGORITHMS,
  createHasher,
  digestAlgorithmFromOid,
  digestAlgorithmOid,
  digestBytes,
  digestLength,
  isNodeHash,
  nodeHashName,
  type DigestAlgorithm,
  type Hasher,
} from './digest.ts';
export { OID, QUALIFIED_TOOL_POLICIES } from './oids.ts';
export { certificateToPem, derToPem, pemToDerList } from './pem.ts';
export {
  KEY_ALGORITHMS,
  generateKeyPair,
  gostSigningKey,
  isGostSigningKey,
  loadPrivateKeyPem,
  loadSigningKeyPem,
  privateKeyToPem,
  publicKeySpkiDer,
  signingDigestFor,
  type GostKeyAlgorithm,
  type GostSigningKey,
  type KeyAlgorithm,
  type KeyErrorCode,
  type KeyPair,
  type NodeKeyAlgorithm,
  type SigningKey,
  type SubjectPublicKey,
} from './keys.ts';
export {
  EXTENDED_KEY_USAGE_OIDS,
  KEY_USAGE_NAMES,
  issueCertificate,
  keyIdentifier,
  type ExtendedKeyUsageName,
  type IssueCertificateInput,
  type KeyUsageName,
  type SubjectInfo,
} from './x509-issue.ts';
export { issueCrl, type IssueCrlInput, type RevokedEntry } from './x509-crl-issue.ts';
export type { FetchFunction } from './revocation/index.ts';
export {
  DEFAULT_DEV_PARTICIPANTS_FILE,
  initDevPki,
  loadDevParticipants,
  type DevParticipant,
  type DevPki,
  type InitDevPkiInput,
} from './dev-pki.ts';
export {
  DEFAULT_VALIDATION_POLICY,
  addSignatureTimestamp,
  attachSignatureTimestampTokens,
  describeCertificate,
  inspectSignature,
  signDetached,
  verifyDetached,
  verifyDetachedAsync,
  type AddSignatureTimestampErrorCode,
  type AddSignatureTimestampInput,
  type AddedTimestamp,
  type RevocationInput,
  type VerifyDetachedInput,
} from './cms/index.ts';
export type {
  CertificateSummary,
  CheckId,
  CheckStatus,
  CryptoResult,
  Indication,
  RsaScheme,
  RevocationCertificateStatus,
  SubIndication,
  TimestampSummary,
  TrustAnchor,
  ValidationCheck,
  ValidationPolicy,
  ValidationReport,
} from './types.ts';
