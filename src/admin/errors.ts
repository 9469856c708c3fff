import type { Db } from '../db/index.ts';

/** Expected failures of the administration use-cases (stable codes; the HTTP layer maps them to statuses). */
export const ADMIN_ERROR_CODES = [
  'PARTICIPANT_NOT_FOUND',
  'PARTICIPANT_EXISTS',
  'PARTICIPANT_INVALID',
  'STATE_CONFLICT',
  'IMPORT_UNREADABLE',
  'IMPORT_INVALID',
  'CERTIFICATE_UNREADABLE',
  'CERTIFICATE_EXPIRED',
  'CERTIFICATE_IS_CA',
  'CERTIFICATE_CONFLICT',
  'CERTIFICATE_NOT_FOUND',
  'TRUST_ANCHOR_NOT_CA',
  'TRUST_ANCHOR_EXISTS',
  'TRUST_ANCHOR_NOT_FOUND',
  'TOKEN_NOT_FOUND',
] as const;
export type AdminErrorCode = (typeof ADMIN_ERROR_CODES)[number];

export interface AdminError {
  code: AdminErrorCode;
  message: string;
  details?: unknown;
}

export type AdminResult<T> = { ok: true; value: T } | { ok: false; error: AdminError };

export function fail(code: AdminErrorCode, message: string, details?: unknown): { ok: false; error: AdminError } {
  return { ok: false, error: details === undefined ? { code, message } : { code, message, details } };
}

export function ok<T>(value: T): { ok: true; value: T } {
  return { ok: true, value };
}

/** What the administration use-cases need: the database and the clock (both injected). */
export interface AdminContext {
  db: Db;
  now: () => Date;
}

/** One problem with one field of one participant record; `row` is set for imports (1-based, header = row 1 in CSV). */
export interface FieldError {
  row?: number;
  field: string;
  code: string;
  message: string;
}
