/** ETSI TS 119 612 trusted lists: signature, pinned signer, freshness and rollback checks, content. Pure. */
export { parseTrustedList, SERVICE_STATUS_GRANTED, SERVICE_TYPE_CA_QC, SUPPORTED_VERSIONS, TSL_NS, type ParseTrustedListResult, type TrustedList, type TrustedListService } from './parse-trusted-list.ts';
export {
  checkSequence,
  TRUSTED_LIST_ERROR_CODES,
  verifyTrustedList,
  type TrustedListError,
  type TrustedListErrorCode,
  type TrustedListResult,
  type VerifiedTrustedList,
  type VerifyTrustedListInput,
} from './verify-trusted-list.ts';
