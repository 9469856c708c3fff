/** The administration domain (issue 6): directory, certificates, trust anchors, API tokens and the audit journal. */
export { ADMIN_ERROR_CODES, type AdminContext, type AdminError, type AdminErrorCode, type AdminResult, type FieldError } from './errors.ts';
export { PARTICIPANT_COLUMNS, checkParticipantRecord, type ParticipantColumn, type ParticipantRecord, type ParticipantView, type RawRecord } from './participant-record.ts';
export { searchParticipants, searchKey, type ParticipantPage, type SearchParticipantsInput } from './search-participants.ts';
export { getParticipantView } from './get-participant.ts';
export { createParticipant } from './create-participant.ts';
export { updateParticipant } from './update-participant.ts';
export { setParticipantState } from './set-participant-state.ts';
export { importParticipants, type ImportParticipantsInput, type ImportSummary } from './import-participants.ts';
export { exportParticipants } from './export-participants.ts';
export { DEFAULT_IMPORT_LIMITS, DIRECTORY_NAMESPACE, type ImportLimits } from './directory-formats.ts';
export { normaliseFingerprint, type CertificateDetails } from './certificate-details.ts';
export {
  EXPIRY_WARNING_DAYS,
  listExpiringCertificates,
  listParticipantCertificates,
  revokeCertificate,
  uploadCertificates,
  type AdminWarning,
  type RegisteredCertificate,
} from './certificates.ts';
export { addTrustAnchorCertificate, listTrustAnchorViews, removeTrustAnchor, type TrustAnchorView } from './trust-anchors.ts';
export { importTrustedList, lastTrustedListImports, trustAnchorSources } from './import-trusted-list.ts';
export { issueApiToken, listApiTokens, revokeApiToken, type TokenView } from './api-tokens.ts';
export { listJournal, verifyAuditJournal, verifyJournalFile, type JournalFileResult, type JournalRow } from './journal.ts';
