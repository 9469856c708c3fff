import { ADMIN_ERROR_CODES } from '../admin/index.ts';
import { DELIVERY_ERROR_CODES, type DeliveryErrorCode } from '../delivery/index.ts';

/** Every error code the HTTP API can answer with, and its status. A new code cannot miss its status. */
export const ERROR_CODES = [
  'BAD_REQUEST',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'UNSUPPORTED_MEDIA_TYPE',
  'PAYLOAD_TOO_LARGE',
  'CONTAINER_UNREADABLE',
  'CONTAINER_NOT_RECOGNISED',
  'ENVELOPE_INVALID',
  'NOT_FOUND',
  'NOT_READY',
  'INTERNAL',
  ...DELIVERY_ERROR_CODES,
  ...ADMIN_ERROR_CODES,
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

type Status = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 500 | 503;

export const ERROR_STATUS = {
  BAD_REQUEST: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  UNSUPPORTED_MEDIA_TYPE: 415,
  PAYLOAD_TOO_LARGE: 413,
  CONTAINER_UNREADABLE: 422,
  CONTAINER_NOT_RECOGNISED: 422,
  ENVELOPE_INVALID: 422,
  NOT_FOUND: 404,
  NOT_READY: 503,
  INTERNAL: 500,
  SENDER_SUSPENDED: 403,
  UNKNOWN_RECIPIENT: 422,
  RECIPIENT_SUSPENDED: 422,
  NO_HOSTED_KEY: 422,
  LETTER_INVALID: 422,
  SIGNATURE_INVALID: 422,
  IDEMPOTENCY_KEY_REUSED: 409,
  REPLY_TARGET_INVALID: 422,
  CONTAINER_INVALID: 422,
  NOT_SENDER: 403,
  DUPLICATE_MESSAGE: 409,
  MESSAGE_NOT_FOUND: 404,
  INVALID_STATE: 409,
  RECEIPT_INVALID: 422,
  RECEIPT_MISMATCH: 422,
  RECEIPT_SIGNER_NOT_REGISTERED: 403,
  RECEIPT_REPLAYED: 409,
  TSA_UNAVAILABLE: 503,
  REVOCATION_UNAVAILABLE: 503,
  PARTICIPANT_NOT_FOUND: 404,
  PARTICIPANT_EXISTS: 409,
  PARTICIPANT_INVALID: 422,
  STATE_CONFLICT: 409,
  IMPORT_UNREADABLE: 400,
  IMPORT_INVALID: 422,
  CERTIFICATE_UNREADABLE: 400,
  CERTIFICATE_EXPIRED: 422,
  CERTIFICATE_IS_CA: 422,
  CERTIFICATE_CONFLICT: 409,
  CERTIFICATE_NOT_FOUND: 404,
  TRUST_ANCHOR_NOT_CA: 422,
  TRUST_ANCHOR_EXISTS: 409,
  TRUST_ANCHOR_NOT_FOUND: 404,
  TOKEN_NOT_FOUND: 404,
} as const satisfies Record<ErrorCode, Status>;

/** The one error type of the HTTP surface, turned into `{code, message, requestId}` by `onError`. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: unknown;
  constructor(code: ErrorCode, message: string, details?: unknown) {
    super(message);
    this.code = code;
    this.details = details;
  }
}

/** A domain's expected failure as the HTTP error. */
export function fromDeliveryError(error: { code: DeliveryErrorCode; message: string; details?: unknown }): AppError {
  return new AppError(error.code, error.message, error.details);
}
