/** The directory domain: participants, their certificates and hosted keys, trust anchors, API tokens. */
export { addTrustAnchor, fingerprintOf, hostedIdentity, isFingerprintRegisteredFor, isRegisteredFor, listTrustAnchors, registerCertificate } from './certificates.ts';
export { getParticipant, getParticipants, parentsFirst, toParty, type ParticipantRow } from './participants.ts';
export { seedDirectory, type DevToken, type SeedDirectoryInput, type SeedResult } from './seed-directory.ts';
export { authenticateToken, issueToken, ROLES, type Principal, type Role } from './tokens.ts';
export { DEFAULT_DIRECTORY_FILE, loadDirectoryFixture, CATEGORY_CODES, type CategoryCode, type DirectoryEntry, type DirectoryFixture } from './fixture/index.ts';
export { createRevocationSources, type RevocationSources } from './revocation-sources.ts';
