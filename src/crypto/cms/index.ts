/** CMS detached signatures (RFC 5652, CAdES-BES): sign, inspect, verify with ETSI-style reports. */
export { signDetached, type SignDetachedInput } from './sign-detached.ts';
export { inspectSignature } from './inspect-signature.ts';
export { verifyDetached, verifyDetachedAsync, type RevocationInput, type VerifyDetachedInput } from './verify-detached.ts';
export { timestampCoversSignature } from './verify-signer.ts';
export { addSignatureTimestamp, attachSignatureTimestampTokens, type AddSignatureTimestampErrorCode, type AddSignatureTimestampInput, type AddedTimestamp } from './add-signature-timestamp.ts';
export { DEFAULT_VALIDATION_POLICY } from './validation-policy.ts';
export { describeCertificate, parseCertificateSummary } from './certificate-summary.ts';
