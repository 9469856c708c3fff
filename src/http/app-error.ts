/** Every error code the HTTP API can answer with, and its status. A new code cannot miss its status. */
export const ERROR_CODES = [
  'BAD_REQUEST',
  'UNSUPPORTED_MEDIA_TYPE',
  'PAYLOAD_TOO_LARGE',
  'CONTAINER_UNREADABLE',
  'CONTAINER_NOT_RECOGNISED',
  'ENVELOPE_INVALID',
  'RECEIPT_INVALID',
  'NOT_FOUND',
  'NOT_READY',
  'INTERNAL',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export const ERROR_STATUS = {
  BAD_REQUEST: 400,
  UNSUPPORTED_MEDIA_TYPE: 415,
  PAYLOAD_TOO_LARGE: 413,
  CONTAINER_UNREADABLE: 422,
  CONTAINER_NOT_RECOGNISED: 422,
  ENVELOPE_INVALID: 422,
  RECEIPT_INVALID: 422,
  NOT_FOUND: 404,
  NOT_READY: 503,
  INTERNAL: 500,
} as const satisfies Record<ErrorCode, 400 | 404 | 413 | 415 | 422 | 500 | 503>;

/** The one error type of the HTTP surface, turned into `{code, message, requestId}` by `onError`. */
export class AppError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}
