/**
 * RFC 3161 time-stamp requests: the TimeStampReq (§2.4.1) and the HTTP exchange (§3.4,
 * `application/timestamp-query` / `application/timestamp-reply`).
 */
import * as pkijs from 'pkijs';
import { digestAlgorithmOid, type DigestAlgorithm } from '../digest.ts';
import { bool, children, integer, nullDer, octetString, oid, seq } from '../der-writer.ts';
import { fetchRevocationData, type FetchFunction } from '../revocation/fetch.ts';
import type { CryptoResult } from '../types.ts';

export interface BuildTimestampRequestInput {
  /** The message imprint: the digest the TSA binds to its time (for CAdES-T, of the signature value). */
  digest: Uint8Array;
  digestAlgorithm: DigestAlgorithm;
  /** Random octets matched against the reply (§2.4.1: protects against replay). */
  nonce: Uint8Array;
  /** Asks the TSA to include its certificate (default true, so the token verifies on its own). */
  certReq?: boolean;
  /** Requested TSA policy OID. */
  policy?: string;
}

function positiveInteger(bytes: Uint8Array): Buffer {
  const b = Buffer.from(bytes);
  return integer((b[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.of(0), b]) : b);
}

/** DER TimeStampReq (RFC 3161 §2.4.1), version 1. */
export function buildTimestampRequest(input: BuildTimestampRequestInput): Buffer {
  return seq(
    integer(1),
    seq(seq(oid(digestAlgorithmOid(input.digestAlgorithm)), nullDer()), octetString(input.digest)),
    ...(input.policy === undefined ? [] : [oid(input.policy)]),
    positiveInteger(input.nonce),
    ...(input.certReq === false ? [] : [bool(true)]),
  );
}

export type TimestampRequestErrorCode = 'TIMEOUT' | 'TOO_LARGE' | 'HTTP_STATUS' | 'NETWORK' | 'NOT_ALLOWED' | 'BAD_RESPONSE' | 'REJECTED' | 'MISMATCH';

export interface RequestTimestampInput extends BuildTimestampRequestInput {
  tsaUrl: string;
  fetch: FetchFunction;
  timeoutMs: number;
  /** Default 256 KiB: a token with a certificate chain is a few KiB. */
  maxBytes?: number;
}

const PKI_STATUS = ['granted', 'grantedWithMods', 'rejection', 'waiting', 'revocationWarning', 'revocationNotification'] as const;

/**
 * Asks the TSA at `tsaUrl` (trusted by configuration, so its host is the allow-list) for a token and
 * returns the token (DER ContentInfo). The reply must be granted and its TSTInfo must carry the
 * same imprint and nonce; the token's signature and TSA certificate are checked by
 * `verifyTimestampToken`, which the caller runs next.
 */
export async function requestTimestamp(input: RequestTimestampInput): Promise<CryptoResult<Buffer, TimestampRequestErrorCode>> {
  let host: string;
  try {
    host = new URL(input.tsaUrl).host;
  } catch {
    return { ok: false, error: { code: 'NOT_ALLOWED', message: `${input.tsaUrl} is not a URL` } };
  }
  const fetched = await fetchRevocationData({
    url: input.tsaUrl,
    kind: 'tsp',
    body: buildTimestampRequest(input),
    allowHosts: [host],
    timeoutMs: input.timeoutMs,
    maxBytes: input.maxBytes ?? 256 * 1024,
    fetch: input.fetch,
  });
  if (!fetched.ok) return fetched;
  let token: Buffer;
  let resp: pkijs.TimeStampResp;
  try {
    resp = pkijs.TimeStampResp.fromBER(fetched.value);
    const status = resp.status.status;
    if (status !== 0 && status !== 1) {
      const text = resp.status.statusStrings?.map((s) => s.valueBlock.value).join('; ') ?? '';
      return { ok: false, error: { code: 'REJECTED', message: `the TSA answered ${PKI_STATUS[status] ?? String(status)}${text === '' ? '' : `: ${text}`}` } };
    }
    const [, tokenTlv] = children(fetched.value);
    if (tokenTlv === undefined) return { ok: false, error: { code: 'BAD_RESPONSE', message: 'the TSA granted but sent no token' } };
    token = tokenTlv.bytes;
  } catch {
    return { ok: false, error: { code: 'BAD_RESPONSE', message: 'the TSA reply is not a TimeStampResp' } };
  }
  try {
    const signed = new pkijs.SignedData({ schema: pkijs.ContentInfo.fromBER(token).content });
    const eContent = signed.encapContentInfo.eContent;
    if (eContent === undefined) return { ok: false, error: { code: 'BAD_RESPONSE', message: 'the token has no TSTInfo' } };
    const info = pkijs.TSTInfo.fromBER(eContent.getValue());
    const imprintOk = Buffer.from(info.messageImprint.hashedMessage.valueBlock.valueHexView).equals(Buffer.from(input.digest));
    const expectedNonce = BigInt(`0x${Buffer.from(input.nonce).toString('hex') || '0'}`);
    const nonceOk = info.nonce !== undefined && info.nonce.toBigInt() === expectedNonce;
    if (!imprintOk || !nonceOk) return { ok: false, error: { code: 'MISMATCH', message: `the token ${imprintOk ? 'nonce' : 'message imprint'} differs from the request` } };
  } catch {
    return { ok: false, error: { code: 'BAD_RESPONSE', message: 'the token is not a SignedData holding a TSTInfo' } };
  }
  return { ok: true, value: token };
}
