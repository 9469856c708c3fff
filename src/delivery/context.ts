import type { FetchFunction, RevocationInput, SigningKey, TrustAnchor, ValidationPolicy } from '../crypto/index.ts';
import type { Db } from '../db/index.ts';
import type { Party } from '../envelope/index.ts';
import { verifyContainer, type SigningIdentity } from '../letters/index.ts';
import type { CrlCacheEntryState } from '../revocation-cache/index.ts';
import type { BlobStore } from '../storage/index.ts';
import type { ChangeFeed } from './change-feed.ts';

/** What the delivery use-cases need, passed in by the composition root (no singletons). */
export interface GatewayContext {
  db: Db;
  blobs: BlobStore;
  now: () => Date;
  newId: () => string;
  /** Scratch space on the same file system as the blob store. */
  tmpDir: string;
  /** The gateway's evidence seal and the party it signs as (the operator). */
  seal: SigningIdentity<SigningKey>;
  gatewayParty: Party;
  policy: ValidationPolicy;
  trustAnchors: () => readonly TrustAnchor[];
  /**
   * CRLs at hand (development CA, CRL files, the CRL cache) and, when configured, network access
   * for CRL distribution points and OCSP (allow-listed hosts) the validator checks revocation with, SPEC §4.
   */
  revocation: () => RevocationInput;
  /** State of the CRL cache (age and staleness of each cached CRL), when revocation data is fetched. */
  crlCacheState?: () => CrlCacheEntryState[];
  /** How long an undelivered message waits before it fails with `not-delivered` evidence. */
  messageTtlMs: number;
  /** Wakes long-polling clients when their inbox or a message changes. */
  changes: ChangeFeed;
  /**
   * The TSA the gateway time-stamps every signature it makes with when it accepts a letter
   * (CAdES-T, RFC 3161); absent: signatures stay CAdES-BES and the best signature time is the
   * validation time.
   */
  timestamp?: GatewayTimestamping;
  /**
   * Told the certification path of every TSA token the gateway obtains (TSA certificate first), so
   * that the CRL cache keeps the TSA's distribution points fresh instead of the validator fetching
   * the TSA CA's CRL for every signature.
   */
  tsaPathSeen?: (path: readonly Buffer[]) => void;
}

/** A configured RFC 3161 TSA: where it answers and the anchors its certificate must chain to. */
export interface GatewayTimestamping {
  url: string;
  trustAnchors: readonly TrustAnchor[];
  fetch: FetchFunction;
  timeoutMs: number;
}

/**
 * Verifies a container the way the gateway must before it stores or acts on it: its trust anchors,
 * policy and revocation sources (with network access when configured), and — with a TSA
 * configured — the TSA's anchors for signature time-stamps. One place for submit, upload and receipts.
 */
export function verifyForGateway(ctx: GatewayContext, containerPath: string, now: Date): ReturnType<typeof verifyContainer> {
  return verifyContainer({
    containerPath,
    trustAnchors: ctx.trustAnchors(),
    policy: ctx.policy,
    now,
    revocation: ctx.revocation(),
    ...(ctx.timestamp === undefined ? {} : { timestampTrustAnchors: [...ctx.trustAnchors(), ...ctx.timestamp.trustAnchors] }),
  });
}

export const DELIVERY_ERROR_CODES = [
  'SENDER_SUSPENDED',
  'UNKNOWN_RECIPIENT',
  'RECIPIENT_SUSPENDED',
  'NO_HOSTED_KEY',
  'LETTER_INVALID',
  'SIGNATURE_INVALID',
  'IDEMPOTENCY_KEY_REUSED',
  'REPLY_TARGET_INVALID',
  'CONTAINER_INVALID',
  'NOT_SENDER',
  'DUPLICATE_MESSAGE',
  'MESSAGE_NOT_FOUND',
  'INVALID_STATE',
  'RECEIPT_INVALID',
  'RECEIPT_MISMATCH',
  'RECEIPT_SIGNER_NOT_REGISTERED',
  'RECEIPT_REPLAYED',
  'TSA_UNAVAILABLE',
  'REVOCATION_UNAVAILABLE',
] as const;
export type DeliveryErrorCode = (typeof DELIVERY_ERROR_CODES)[number];

export interface DeliveryError {
  code: DeliveryErrorCode;
  message: string;
  details?: unknown;
}

export type DeliveryResult<T> = { ok: true; value: T } | { ok: false; error: DeliveryError };

export function fail(code: DeliveryErrorCode, message: string, details?: unknown): { ok: false; error: DeliveryError } {
  return { ok: false, error: details === undefined ? { code, message } : { code, message, details } };
}
