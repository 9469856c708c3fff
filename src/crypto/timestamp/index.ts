/** RFC 3161 time-stamp tokens: requesting them from a TSA and verifying them (CAdES-T, RFC 5126 §6.1.1). */
export {
  buildTimestampRequest,
  requestTimestamp,
  type BuildTimestampRequestInput,
  type RequestTimestampInput,
  type TimestampRequestErrorCode,
} from './request-timestamp.ts';
export { timestampImprint, timestampImprintAlgorithm, verifyTimestampToken, type TimestampVerification, type VerifyTimestampTokenInput } from './verify-timestamp-token.ts';
export {
  signatureValuesOf,
  timestampSignatureValue,
  type SignatureValueTimestamp,
  type TimestampSignatureValueErrorCode,
  type TimestampSignatureValueInput,
  type TsaRevocationInput,
} from './timestamp-signature-value.ts';
export { judgeTsaRevocation, planTsaRevocation, type JudgeTsaRevocationInput, type TsaRevocationJudgement, type TsaRevocationPlan } from './tsa-revocation.ts';
export { classifyEvidence, type EvidenceKind } from './evidence-kind.ts';
