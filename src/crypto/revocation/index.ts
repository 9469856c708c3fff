/** Revocation checking (RFC 5280 CRLs, RFC 6960 OCSP) for certification paths, with the evidence to keep. */
export { CRL_REASONS, checkCrl, crlIssuedBy, crlValidity, type CheckCrlInput, type CrlCheckResult, type CrlReason, type RevocationStatus } from './crl.ts';
export {
  buildOcspRequest,
  checkOcspResponse,
  createOcspNonce,
  type BuildOcspRequestInput,
  type CertIdHash,
  type CheckOcspResponseInput,
  type OcspCheckResult,
} from './ocsp.ts';
export { fetchRevocationData, isAllowedUrl, type FetchFailureCode, type FetchFunction, type FetchKind, type FetchRevocationDataInput } from './fetch.ts';
export {
  checkRevocation,
  checkRevocationOffline,
  type CertificateRevocationOutcome,
  type CertificateRevocationStatus,
  type ChainLink,
  type CheckRevocationInput,
  type NetworkAccess,
  type RevocationCheckResult,
  type RevocationSources,
} from './check-chain.ts';
export { isIssuedBy, readCertificate, type CertificateFacts } from './certificate-facts.ts';
export { revocationCheckInput, revocationSourcesOf, type RevocationInput } from './revocation-input.ts';
